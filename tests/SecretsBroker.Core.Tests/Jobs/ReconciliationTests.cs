using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Jobs;

/// <summary>Which leases left in issuing the reconciler reclaims at once, and which only after the timeout.</summary>
public sealed class ReconciliationTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 23, 9, 0);
    private static readonly LeaseSettings Settings = new(Duration.FromSeconds(60), Duration.FromSeconds(60));
    private readonly FakeClock clock = new(Start);
    private readonly InMemoryLeaseStore store = new();
    private readonly FlakyProvider provider = new();

    private Reconciliation Reconciler() =>
        new(store, new LeaseRevoker(store, new ProviderRegistry([provider]), RevocationBackoff.Default, IRevocationAttempts.None, clock), Settings, clock);

    private async Task<Lease> IssuingAsync(LeaseWriter? writer)
    {
        var lease = LeaseFactory.Make(clock.GetCurrentInstant(), Duration.FromMinutes(10), LeaseState.Issuing) with { Writer = writer };
        await store.InsertAsync(lease, null, new AuditRecord(Start, AuditContext.System, "t", "t", AuditDecision.Allowed), default);
        return lease;
    }

    private string StateOf(Lease lease) => store.Rows[lease.Id].Lease.State;

    [Fact]
    public async Task A_lease_an_earlier_start_of_this_node_left_in_issuing_is_reclaimed_at_once()
    {
        var earlier = LeaseWriter.StartOn("node-a");
        var leftBehind = await IssuingAsync(earlier);
        var now = LeaseWriter.StartOn("node-a");

        var (reclaimed, _) = await Reconciler().RunAsync(now, default);

        Assert.Equal(1, reclaimed);
        Assert.NotEqual(LeaseState.Issuing, StateOf(leftBehind));
        Assert.Equal(RevokeReasons.ReconciledIssuing, store.Rows[leftBehind.Id].Lease.RevokeReason);
        Assert.Equal(1, provider.RevokeCalls);
        Assert.Single(store.Audit, a => a.Action == AuditActions.LeaseRevoke && a.Reason!.StartsWith("reconciled_issuing: written by an earlier start of this node; 1 leases", StringComparison.Ordinal));
    }

    [Fact]
    public async Task This_start_s_own_another_node_s_and_writerless_leases_in_issuing_wait_for_the_timeout()
    {
        var current = LeaseWriter.StartOn("node-a");
        var minting = await IssuingAsync(current);
        var otherNode = await IssuingAsync(LeaseWriter.StartOn("node-b"));
        var fromBeforeWriters = await IssuingAsync(null);

        var (atOnce, _) = await Reconciler().RunAsync(current, default);
        clock.Advance(Duration.FromSeconds(60));
        var (atTheTimeout, _) = await Reconciler().RunAsync(current, default);
        clock.Advance(Duration.FromSeconds(1));
        var (pastIt, _) = await Reconciler().RunAsync(current, default);

        Assert.Equal((0, 0, 3), (atOnce, atTheTimeout, pastIt));
        Assert.All([minting, otherNode, fromBeforeWriters], l => Assert.Equal(RevokeReasons.ReconciledIssuing, store.Rows[l.Id].Lease.RevokeReason));
        Assert.Single(store.Audit, a => a.Action == AuditActions.LeaseRevoke && a.Reason == "reconciled_issuing: issuing for over 60 s; 3 leases");
    }
}
