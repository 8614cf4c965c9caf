using Prometheus;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// The registry every figure of one broker is created in: not prometheus-net's process-wide default,
/// so two brokers in one process never mix their counts. A singleton of its own, so a part the lease
/// figures depend on (the policy, the JWKS sources) can count into it without depending on them.
/// </summary>
public sealed class BrokerRegistry
{
    /// <summary>Every name starts with this, so one selector finds the broker's series.</summary>
    public const string Prefix = "secretsbroker_";

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public IMetricFactory Make => Prometheus.Metrics.WithCustomRegistry(Registry);
}
