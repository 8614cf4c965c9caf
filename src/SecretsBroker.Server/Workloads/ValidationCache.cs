using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// Recently accepted tokens, keyed by their SHA-256 (never the token itself), so a CI job presenting
/// one token for many steps pays for the signature check once. An entry lives until the token's
/// <c>exp</c> or <see cref="MaxAge"/>, whichever is first, judged by the broker's clock on every use;
/// it is also dropped when its issuer's key set changes.
/// </summary>
internal sealed class ValidationCache
{
    public const int Capacity = 10_000;

    public static readonly Duration MaxAge = Duration.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public bool TryGet(string key, Instant now, [NotNullWhen(true)] out Entry? entry)
    {
        if (entries.TryGetValue(key, out entry))
        {
            if (now >= entry.ValidatedAt && now < entry.Until)
            {
                return true;
            }

            entries.TryRemove(KeyValuePair.Create(key, entry));
        }

        entry = null;
        return false;
    }

    public void Remove(string key) => entries.TryRemove(key, out _);

    public void Add(string key, TrustedIssuer issuer, JwksKeySet keys, WorkloadIdentity identity, Instant now)
    {
        var until = Instant.Min(identity.TokenExpiresAt, now + MaxAge);
        if (until <= now)
        {
            return;
        }

        if (entries.Count >= Capacity)
        {
            foreach (var stale in entries.Where(e => e.Value.Until <= now))
            {
                entries.TryRemove(stale);
            }

            // Still full of live entries (a flood of distinct tokens): start over rather than grow.
            if (entries.Count >= Capacity)
            {
                entries.Clear();
            }
        }

        entries[key] = new Entry(issuer, keys, identity, now, until);
    }

    internal sealed record Entry(TrustedIssuer Issuer, JwksKeySet Keys, WorkloadIdentity Identity, Instant ValidatedAt, Instant Until);
}
