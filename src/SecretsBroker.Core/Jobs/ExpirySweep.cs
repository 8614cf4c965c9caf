using NodaTime;
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
            moved = await store.SweepExpiredAsync(now, BatchSize, ct);
            total += moved;
        }
        while (moved == BatchSize && !ct.IsCancellationRequested);

        return total;
    }
}
