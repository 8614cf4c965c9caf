using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Jobs;

/// <summary>
/// Moves active leases past their expiry to <c>revoking</c>, in batches over the expiry index. The
/// leases were already dead at the broker (validity is checked at use); this starts their
/// downstream clean-up.
/// </summary>
public sealed class ExpirySweep(ILeaseStore store, IClock clock)
{
    public const int BatchSize = 5000;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var total = 0;
        int moved;
        do
        {
            moved = await store.SweepExpiredAsync(now, BatchSize, RevokeReasons.Expired, n => Record(now).WithLeaseCount(n), ct);
            total += moved;
        }
        while (moved == BatchSize && !ct.IsCancellationRequested);

        return total;
    }

    private static AuditRecord Record(Instant now) =>
        new(now, AuditContext.System, AuditActions.LeaseExpire, "leases", AuditDecision.Allowed, RevokeReasons.Expired);
}
