using Hangfire;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Hosting;
using SecretsBroker.Server.Metrics;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// The Hangfire jobs: coarse work over batches of leases, never one job per lease. Each takes no
/// arguments, is safe to run twice, and does nothing while the broker is sealed. The logic lives in
/// Core; these only call it.
/// </summary>
public sealed class LeaseJobs(
    BrokerSeal seal,
    BrokerNode node,
    ExpirySweep sweep,
    LeaseRevoker revoker,
    Reconciliation reconciliation,
    SecretRotation rotation,
    OrphanSweep orphans,
    IIdentityStore identities,
    WebhookCompletions completions,
    BrokerMetrics metrics,
    ILogger<LeaseJobs> logger)
{
    /// <summary>Expired leases to revoking, then every due downstream clean-up.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task SweepAsync()
    {
        if (seal.IsSealed)
        {
            return;
        }

        var expired = await sweep.RunAsync(CancellationToken.None);
        metrics.CountRevocations(RevocationCauses.Expiry, expired);
        var revoked = await revoker.RunAsync(CancellationToken.None);
        if (expired > 0 || revoked > 0)
        {
            JobLog.Swept(logger, expired, revoked);
        }
    }

    /// <summary>
    /// Leases stuck in issuing (a crash) or in clean-up (an outage), and rotations a crash left pending,
    /// are finished; claim sets no live lease was issued under, and webhook completions past their
    /// retention, are dropped.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task ReconcileAsync()
    {
        if (seal.IsSealed)
        {
            return;
        }

        var (reclaimed, revoked) = await reconciliation.RunAsync(node.Writer, CancellationToken.None);
        var rotations = await rotation.RecoverAsync(null, CancellationToken.None);
        await identities.PruneClaimSetsAsync(CancellationToken.None);
        await completions.PruneAsync(CancellationToken.None);
        JobLog.Reconciled(logger, reclaimed, revoked, rotations);
    }

    /// <summary>Downstream credentials no live lease accounts for are removed (audited one by one).</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task SweepOrphansAsync()
    {
        if (seal.IsSealed)
        {
            return;
        }

        var removed = await orphans.RunAsync(CancellationToken.None);
        if (removed > 0)
        {
            JobLog.OrphansRemoved(logger, removed);
        }
    }
}
