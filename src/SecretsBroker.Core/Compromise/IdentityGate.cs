using System.Collections.Concurrent;
using NodaTime;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Compromise;

/// <summary>
/// The issuance path's view of compromised identities: block rules held in memory (loaded once,
/// changed only through <see cref="IdentityResponse"/>), and a record of which identities were seen,
/// written at most once a minute per identity unless its claims change, so issuance stays fast.
/// </summary>
public sealed class IdentityGate(IIdentityStore store) : IDisposable
{
    private static readonly Duration SeenRefresh = Duration.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Issuer, string Subject), (string Claims, Instant Written)> seen = new();
    private readonly SemaphoreSlim loading = new(1, 1);
    private readonly Lock changing = new();
    private volatile IReadOnlyList<BlockRule>? rules;

    public void Dispose() => loading.Dispose();

    /// <summary>The block rule that refuses <paramref name="who"/>, if any.</summary>
    public async ValueTask<BlockRule?> BlockOfAsync(WorkloadIdentity who, CancellationToken ct)
    {
        var current = rules ?? await LoadAsync(ct);
        foreach (var rule in current)
        {
            if (rule.Target.Matches(who))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="issuer"/>/<paramref name="subject"/> with these claims is refused.</summary>
    public async ValueTask<bool> IsBlockedAsync(string issuer, string subject, IReadOnlyDictionary<string, string> claims, CancellationToken ct) =>
        await BlockOfAsync(new WorkloadIdentity(issuer, subject, claims, "", null, Instant.MinValue), ct) is not null;

    /// <summary>Records the identity as seen; skipped when written within the last minute with the same claims.</summary>
    public async Task SeenAsync(WorkloadIdentity who, Instant now, CancellationToken ct)
    {
        var claims = who.ClaimSetJson;
        if (seen.TryGetValue((who.Issuer, who.Subject), out var last) && last.Claims == claims && now - last.Written < SeenRefresh)
        {
            return;
        }

        await store.RecordSeenAsync(who, claims, now, ct);
        seen[(who.Issuer, who.Subject)] = (claims, now);
    }

    /// <summary>Puts a rule in force in memory. Called before the rule is written, so it is in force before any lease the revocation might miss commits.</summary>
    internal async Task AddAsync(BlockRule rule, CancellationToken ct)
    {
        await (rules is null ? LoadAsync(ct) : ValueTask.FromResult(rules));
        lock (changing)
        {
            rules = [.. rules!.Where(r => r.Target.RuleKey != rule.Target.RuleKey), rule];
        }
    }

    internal async Task RemoveAsync(IdentityTarget target, CancellationToken ct)
    {
        await (rules is null ? LoadAsync(ct) : ValueTask.FromResult(rules));
        lock (changing)
        {
            rules = [.. rules!.Where(r => r.Target.RuleKey != target.RuleKey)];
        }
    }

    /// <summary>Reads the rules from the store again (after a failed write, so memory matches what is stored).</summary>
    internal async Task ReloadAsync(CancellationToken ct)
    {
        var stored = await store.BlockRulesAsync(ct);
        lock (changing)
        {
            rules = stored;
        }
    }

    private async ValueTask<IReadOnlyList<BlockRule>> LoadAsync(CancellationToken ct)
    {
        await loading.WaitAsync(ct);
        try
        {
            if (rules is { } loaded)
            {
                return loaded;
            }

            var stored = await store.BlockRulesAsync(ct);
            lock (changing)
            {
                rules ??= stored;
                return rules;
            }
        }
        finally
        {
            loading.Release();
        }
    }
}
