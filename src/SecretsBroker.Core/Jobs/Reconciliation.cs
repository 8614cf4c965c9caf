using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Jobs;

/// <summary>
/// Finishes what a crash or an outage left: <c>issuing</c> rows nothing will activate any more are
/// revoked (their credential may exist downstream), then every due revocation is retried. Runs at
/// start and on a schedule, so nothing depends on the job queue surviving a restart.
/// </summary>
public sealed class Reconciliation(ILeaseStore store, LeaseRevoker revoker, LeaseSettings settings, IClock clock)
{
    /// <summary>
    /// Run by the process <paramref name="current"/>: the rows its node's earlier starts left in
    /// <c>issuing</c> are reclaimed at once, every other <c>issuing</c> row once it is older than
    /// <see cref="LeaseSettings.StuckIssuingAfter"/>.
    /// </summary>
    public async Task<(int Reclaimed, int Revoked)> RunAsync(LeaseWriter current, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();

        // One process per data folder at a time: another incarnation of this node has ended, and its
        // mints with it, so waiting out the timeout would only leave their credentials live longer.
        var leftByEarlierStarts = await store.ReclaimIssuingOfNodeAsync(
            current.Node, current.Incarnation, RevokeReasons.ReconciledIssuing, now, Record(now, "written by an earlier start of this node").WithLeaseCount, ct);

        // Another node's row may still be minting; only its age tells that it never will. Rows written
        // before writers were recorded have none, and wait like another node's.
        var stuck = await store.ReclaimStuckIssuingAsync(
            now - settings.StuckIssuingAfter, RevokeReasons.ReconciledIssuing, now, Record(now, $"issuing for over {(long)settings.StuckIssuingAfter.TotalSeconds} s").WithLeaseCount, ct);

        var revoked = await revoker.RunAsync(ct);
        return (leftByEarlierStarts + stuck, revoked);
    }

    private static AuditRecord Record(Instant now, string why) =>
        new(now, AuditContext.System, AuditActions.LeaseRevoke, "leases", AuditDecision.Allowed, $"{RevokeReasons.ReconciledIssuing}: {why}");
}
