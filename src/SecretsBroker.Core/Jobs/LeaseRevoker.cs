using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Jobs;

/// <summary>
/// Removes the downstream credentials of leases in <c>revoking</c> (and retries <c>revoke_failed</c>
/// ones when due): a batch at a time, a few providers calls in parallel, and one transaction to
/// record the whole batch. Safe to run twice: providers revoke idempotently.
/// </summary>
public sealed class LeaseRevoker(ILeaseStore store, ProviderRegistry providers, RevocationBackoff backoff, IRevocationAttempts attempts, IClock clock)
{
    public const int BatchSize = 1000;
    private const int Parallelism = 8;

    /// <summary>Works through every due revocation, batch by batch; returns how many were revoked.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var revoked = 0;
        while (!ct.IsCancellationRequested)
        {
            var due = await store.DueRevocationsAsync(clock.GetCurrentInstant(), BatchSize, ct);
            if (due.Count == 0)
            {
                break;
            }

            var outcomes = new RevocationOutcome[due.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, due.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (i, token) => outcomes[i] = await RevokeOneAsync(due[i], token));
            var alerts = outcomes.Where(o => o.Failed && o.Attempts == backoff.FailuresBeforeAlert).Select(Alert).ToList();
            await store.CompleteRevocationsAsync(outcomes, alerts, ct);
            revoked += outcomes.Count(o => o.Revoked);
            if (due.Count < BatchSize)
            {
                break;
            }
        }

        return revoked;
    }

    private async Task<RevocationOutcome> RevokeOneAsync(LeaseRevocation due, CancellationToken ct)
    {
        var ok = false;
        if (providers.Find(due.Lease.Provider) is { } provider)
        {
            try
            {
                ok = (await provider.RevokeAsync(due.Lease, ct)).IsSuccess;
            }
#pragma warning disable CA1031 // Any provider failure is a failed attempt to retry later, never the end of the batch.
            catch (Exception) when (!ct.IsCancellationRequested)
#pragma warning restore CA1031
            {
                ok = false;
            }
        }

        attempts.Attempted(due.Lease.Provider, due.Attempts > 0, ok);
        var now = clock.GetCurrentInstant();
        if (ok)
        {
            return new RevocationOutcome(due.Lease.Id, true, due.Attempts, null, false, now);
        }

        var tries = due.Attempts + 1;
        return new RevocationOutcome(due.Lease.Id, false, tries, now + backoff.After(tries), tries >= backoff.FailuresBeforeAlert, now);
    }

    private static AuditRecord Alert(RevocationOutcome outcome) => new(
        outcome.At,
        AuditContext.System,
        AuditActions.LeaseRevokeFailed,
        $"lease:{outcome.LeaseId}",
        AuditDecision.Denied,
        $"ALERT: downstream revocation failed {outcome.Attempts} times; still retrying");
}
