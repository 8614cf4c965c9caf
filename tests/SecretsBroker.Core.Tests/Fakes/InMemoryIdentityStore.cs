using System.Text.Json;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// Identities seen, mass revocations and block rules in memory, over an <see cref="InMemoryLeaseStore"/>'s
/// rows: everything runs under that store's lock, as one database, and appends to the shared trail.
/// A claim set is kept as the SQL stores keep it: one per issuer and canonical claims, made by the first
/// lease issued under it, pruned once no live lease points at it, and made again by the next lease.
/// </summary>
internal sealed class InMemoryIdentityStore(InMemoryAuditStore trail, InMemoryLeaseStore leases) : IIdentityStore
{
    private readonly Dictionary<(string Issuer, string Subject), Seen> identities = [];
    private readonly Dictionary<string, (IdentityRevocation Revocation, Instant At)> revocations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlockRule> rules = new(StringComparer.Ordinal);

    // The leases that pointed at each claim set when it was pruned: a lease not among them made it again.
    private readonly Dictionary<(string Issuer, string Claims), HashSet<string>> pruned = [];
    private long lastSeq;

    public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) =>
        Task.FromResult(leases.Locked(_ => Record(who.Issuer, who.Subject, claimsJson, now)));

    /// <summary>A lease's own sighting (<see cref="Lease.MarksIdentitySeen"/>), recorded inside its insert.</summary>
    public void RecordSighting(Lease lease) => Record(lease.Issuer, lease.Subject, lease.Claims!, lease.IssuedAt);

    private bool Record(string issuer, string subject, string claimsJson, Instant now)
    {
        var at = now.AtStoredPrecision();
        identities[(issuer, subject)] = identities.TryGetValue((issuer, subject), out var seen)
            ? seen with { Claims = claimsJson, LastSeen = Instant.Max(seen.LastSeen, at) }
            : new Seen(++lastSeq, issuer, subject, claimsJson, at, at);
        return true;
    }

    public Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SeenIdentity>>(leases.Locked(all =>
        {
            var live = all.Where(l => l.State == LeaseState.Issuing || l.IsValidAt(now)).CountBy(l => (l.Issuer, l.Subject)).ToDictionary();
            return identities.Values.Where(i => i.Seq > after).OrderBy(i => i.Seq).Take(limit)
                .Select(i => new SeenIdentity(
                    i.Seq, i.Issuer, i.Subject, JsonSerializer.Deserialize<Dictionary<string, string>>(i.Claims) ?? [], i.FirstSeen, i.LastSeen,
                    live.GetValueOrDefault((i.Issuer, i.Subject))))
                .ToList();
        }));

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct)
    {
        var target = revocation.Target;
        var at = revocation.At.AtStoredPrecision();
        Func<Lease, bool> which = target.Subject is not null
            ? l => l.Issuer == target.Issuer && l.Subject == target.Subject
            : l => l.Issuer == target.Issuer && HasClaim(l, target.ClaimName!, target.ClaimValue!);
        return Task.FromResult(leases.EndLive(which, revocation.LeaseReason, at, revocation.Id, n =>
        {
            revocations.Add(revocation.Id, (revocation, at));
            if (revocation.Block is { } block)
            {
                rules[target.RuleKey] = block with { At = block.At.AtStoredPrecision() };
            }

            trail.Append(recordFor(n));
            return n;
        }));
    }

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) =>
        Task.FromResult(leases.Locked(all =>
        {
            var removed = 0;
            foreach (var set in all.Where(l => l.Claims is not null).GroupBy(l => (l.Issuer, Claims: l.Claims!)))
            {
                var stored = !pruned.TryGetValue(set.Key, out var gone) || set.Any(l => !gone.Contains(l.Id));
                if (stored && !set.Any(l => l.State is LeaseState.Issuing or LeaseState.Active))
                {
                    pruned[set.Key] = set.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
                    removed++;
                }
            }

            return removed;
        }));

    public Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct) =>
        Task.FromResult(leases.Locked<RevocationProgress?>(_ =>
        {
            if (!revocations.TryGetValue(revocationId, out var stored))
            {
                return null;
            }

            var (r, at) = stored;
            var ended = leases.EndedBy(revocationId);
            return new RevocationProgress(
                r.Id, r.Target, r.Reason, r.Block is not null, at, ended.Count,
                ended.Count(l => l.State == LeaseState.Revoked), ended.Count(l => l.State == LeaseState.RevokeFailed), ended.Count(l => l.State == LeaseState.Revoking));
        }));

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) =>
        Task.FromResult(leases.Locked(_ =>
        {
            if (!rules.Remove(target.RuleKey))
            {
                return false;
            }

            trail.Append(record);
            return true;
        }));

    public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BlockRule>>(leases.Locked(_ => rules.Values.ToList()));

    // A live lease always points at a stored claim set (pruning spares those), so a selector matches on the claims it was issued under.
    private static bool HasClaim(Lease lease, string name, string value) =>
        lease.Claims is { } claims
        && JsonSerializer.Deserialize<Dictionary<string, string>>(claims) is { } set
        && set.TryGetValue(name, out var claim) && claim == value;

    private sealed record Seen(long Seq, string Issuer, string Subject, string Claims, Instant FirstSeen, Instant LastSeen);
}
