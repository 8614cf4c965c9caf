using Microsoft.Extensions.Options;
using NodaTime;
using Prometheus;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Policy;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// Figures read at scrape time: the seal and the policy's hash from memory; leases by state, the sweep's
/// lag and the audit head from the database, at most once per <c>Metrics:StoreReadCacheSeconds</c>,
/// through a GROUP BY and two single-row index reads, never a scan per scrape.
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
    private readonly SemaphoreSlim gate = new(1, 1);
    private Instant? readAt;
    private string? policyHash;

    public StoreFigures(BrokerMetrics metrics, IServiceProvider services, BrokerSeal seal, IPolicySource policy, IClock clock, IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        this.services = services;
        this.seal = seal;
        this.policy = policy;
        this.clock = clock;
        cacheFor = Duration.FromSeconds(options.Value.StoreReadCacheSeconds);
        var make = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        const string p = BrokerMetrics.Prefix;
        leases = make.CreateGauge(p + "leases", "Leases stored, by state (issuing, active, revoking, revoke_failed); active includes leases past expiry the sweep has not reached.", ["state"]);
        revokeFailed = make.CreateGauge(p + "leases_revoke_failed", "Leases whose downstream clean-up keeps failing (alerted, still retried).");
        sweepLag = make.CreateGauge(p + "sweep_lag_seconds", "How long the longest-expired lease still active has been past its expiry; 0 when the sweep is caught up.");
        auditHead = make.CreateGauge(p + "audit_head_sequence", "Sequence number of the newest audit record.");
        sealedGauge = make.CreateGauge(p + "sealed", "1 while the broker is sealed (it does not have the right master key), else 0.");
        policyInfo = make.CreateGauge(p + "policy_info", "1, labelled with the SHA-256 of the policy in force.", ["sha"]);
        metrics.Registry.AddBeforeCollectCallback(RefreshAsync);
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
