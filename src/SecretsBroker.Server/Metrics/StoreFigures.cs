using Microsoft.Extensions.Options;
using NodaTime;
using Prometheus;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Policy;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// Figures read at scrape time: the seal and the policy's hash from memory; leases by state, the sweep's
/// lag, the audit head and the break-glass and alert backlogs from the database, at most once per
/// <c>Metrics:StoreReadCacheSeconds</c>, through a GROUP BY, single-row index reads and counts over
/// partial indexes that hold only open requests and undelivered alerts, never a scan per scrape.
/// </summary>
internal sealed class StoreFigures : IDisposable
{
    /// <summary>The stored states with a gauge each, set to 0 when none are stored so a series never vanishes.</summary>
    private static readonly string[] States = [LeaseState.Issuing, LeaseState.Active, LeaseState.Revoking, LeaseState.RevokeFailed];

    private readonly IServiceProvider services;
    private readonly BrokerSeal seal;
    private readonly IPolicySource policy;
    private readonly IClock clock;
    private readonly Duration cacheFor;
    private readonly Gauge leases;
    private readonly Gauge revokeFailed;
    private readonly Gauge sweepLag;
    private readonly Gauge auditHead;
    private readonly Gauge sealedGauge;
    private readonly Gauge policyInfo;
    private readonly Gauge pendingApproval;
    private readonly Gauge unreviewed;
    private readonly Gauge alertsUndelivered;
    private readonly Gauge alertsFailing;
    private readonly SemaphoreSlim gate = new(1, 1);
    private Instant? readAt;
    private string? policyHash;

    public StoreFigures(BrokerRegistry registry, IServiceProvider services, BrokerSeal seal, IPolicySource policy, IClock clock, IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        this.services = services;
        this.seal = seal;
        this.policy = policy;
        this.clock = clock;
        cacheFor = Duration.FromSeconds(options.Value.StoreReadCacheSeconds);
        var make = registry.Make;
        const string p = BrokerRegistry.Prefix;
        leases = make.CreateGauge(p + "leases", "Leases stored, by state (issuing, active, revoking, revoke_failed); active includes leases past expiry the sweep has not reached.", ["state"]);
        revokeFailed = make.CreateGauge(p + "leases_revoke_failed", "Leases whose downstream clean-up keeps failing (alerted, still retried).");
        sweepLag = make.CreateGauge(p + "sweep_lag_seconds", "How long the longest-expired lease still active has been past its expiry; 0 when the sweep is caught up.");
        auditHead = make.CreateGauge(p + "audit_head_sequence", "Sequence number of the newest audit record.");
        sealedGauge = make.CreateGauge(p + "sealed", "1 while the broker is sealed (it does not have the right master key), else 0.");
        policyInfo = make.CreateGauge(p + "policy_info", "1, labelled with the SHA-256 of the policy in force.", ["sha"]);
        pendingApproval = make.CreateGauge(p + "break_glass_pending_approval", "Break-glass requests waiting for a second operator's approval, inside their window.");
        unreviewed = make.CreateGauge(p + "break_glass_unreviewed", "Break-glass leases issued and not yet reviewed.");
        alertsUndelivered = make.CreateGauge(p + "alerts_undelivered", "Break-glass alerts not yet delivered to every webhook.");
        alertsFailing = make.CreateGauge(p + "alerts_failing", "Undelivered break-glass alerts whose delivery has failed at least once (still retried).");
        registry.Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    public void Dispose() => gate.Dispose();

    private async Task RefreshAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            sealedGauge.Set(seal.IsSealed ? 1 : 0);
            ShowPolicy(policy.Current.Hash);
            if (seal.IsSealed)
            {
                return;
            }

            var now = clock.GetCurrentInstant();
            if (readAt is { } last && now >= last && now < last + cacheFor)
            {
                return;
            }

            var store = services.GetRequiredService<ILeaseStore>();
            var counts = await store.CountByStateAsync(ct);
            foreach (var state in States)
            {
                leases.WithLabels(state).Set(counts.GetValueOrDefault(state));
            }

            revokeFailed.Set(counts.GetValueOrDefault(LeaseState.RevokeFailed));
            sweepLag.Set(await store.OldestUnsweptExpiryAsync(now, ct) is { } oldest ? (now - oldest).TotalSeconds : 0);
            auditHead.Set((await services.GetRequiredService<IAuditStore>().ReadHeadAsync(ct))?.Seq ?? 0);
            var breakGlass = await services.GetRequiredService<IBreakGlassStore>().CountBacklogAsync(now, ct);
            pendingApproval.Set(breakGlass.PendingApproval);
            unreviewed.Set(breakGlass.Unreviewed);
            var alerts = await services.GetRequiredService<IAlertOutbox>().CountBacklogAsync(ct);
            alertsUndelivered.Set(alerts.Undelivered);
            alertsFailing.Set(alerts.Failing);
            readAt = now;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One series for the policy in force: the previous hash's series is removed when it changes. Called under the gate.</summary>
    private void ShowPolicy(string hash)
    {
        if (hash == policyHash)
        {
            return;
        }

        if (policyHash is not null)
        {
            policyInfo.RemoveLabelled(policyHash);
        }

        policyInfo.WithLabels(hash).Set(1);
        policyHash = hash;
    }
}
