using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Jobs;

/// <summary>
/// Finishes what a crash or an outage left: <c>issuing</c> rows older than any mint can take are
/// revoked (their credential may exist downstream), then every due revocation is retried. Runs at
/// start and on a schedule, so nothing depends on the job queue surviving a restart.
/// </summary>
public sealed class Reconciliation(ILeaseStore store, LeaseRevoker revoker, LeaseSettings settings, IClock clock)
{
    public async Task<(int Reclaimed, int Revoked)> RunAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var reclaimed = await store.ReclaimStuckIssuingAsync(now - settings.StuckIssuingAfter, now, ct);
        var revoked = await revoker.RunAsync(ct);
        return (reclaimed, revoked);
    }
}
