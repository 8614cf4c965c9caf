using System.Collections.Concurrent;
using NodaTime;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Compromise;

/// <summary>
/// The issuance path's view of compromised identities: block rules held in memory (loaded once,
/// changed through <see cref="IdentityResponse"/>, and reloaded when <see cref="IBlockRuleFeed"/> says
/// another node changed them), and a record of which identities were seen, written at most once a
/// minute per identity, so issuance stays fast. The claims are not compared: every CI run of one
/// subject brings its own run claims (run id, attempt, commit), and comparing them would write the
/// record again for nearly every lease. The record's claims are those of a token of the last minute.
/// </summary>
public sealed class IdentityGate(IIdentityStore store, IBlockRuleFeed feed) : IDisposable
{
    private static readonly Duration SeenRefresh = Duration.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Issuer, string Subject), Instant> seen = new();
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

    /// <summary>
    /// The rule that refuses <paramref name="who"/> by the rules committed in the store, for the check
    /// after an issuance commits. Memory is enough when this node makes every change (it puts a rule in
    /// force before writing it); on a shared store another node's rule may not have reached memory yet,
    /// so the store is read (and memory refreshed with what it holds).
    /// </summary>
    public async ValueTask<BlockRule?> CommittedBlockOfAsync(WorkloadIdentity who, CancellationToken ct)
    {
        if (!feed.ChangesElsewhere)
        {
            return await BlockOfAsync(who, ct);
        }

        var committed = await store.BlockRulesAsync(ct);
        lock (changing)
        {
            rules = committed;
        }

        return committed.FirstOrDefault(r => r.Target.Matches(who));
    }

    /// <summary>Whether <paramref name="issuer"/>/<paramref name="subject"/> with these claims is refused.</summary>
    public async ValueTask<bool> IsBlockedAsync(string issuer, string subject, IReadOnlyDictionary<string, string> claims, CancellationToken ct) =>
        await BlockOfAsync(new WorkloadIdentity(issuer, subject, claims, "", null, Instant.MinValue), ct) is not null;

    /// <summary>Records the identity as seen, with this token's claims; skipped when it was written within the last minute.</summary>
    public async Task SeenAsync(WorkloadIdentity who, Instant now, CancellationToken ct)
    {
        if (!SightingDue(who, now))
        {
            return;
        }

        await store.RecordSeenAsync(who, who.ClaimSetJson, now, ct);
        Sighted(who, now);
    }

    /// <summary>
    /// Whether the identity's record is due to be written (not written in the last minute): a lease
    /// then carries it (<see cref="Leasing.Lease.MarksIdentitySeen"/>) into its own transaction.
    /// </summary>
    public bool SightingDue(WorkloadIdentity who, Instant now) =>
        !(seen.TryGetValue((who.Issuer, who.Subject), out var written) && now >= written && now - written < SeenRefresh);

    /// <summary>The identity's record was committed at <paramref name="now"/>.</summary>
    public void Sighted(WorkloadIdentity who, Instant now) => seen[(who.Issuer, who.Subject)] = now;

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

    /// <summary>Reads the rules from the store again (after a failed write, or a change on another node, so memory matches what is stored).</summary>
    public async Task ReloadAsync(CancellationToken ct)
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
