using Prometheus;

namespace SecretsBroker.Server.Metrics;

/// <summary>How often a policy file was put in force and how often a changed one was refused.</summary>
public sealed class PolicyFigures
{
    private readonly Counter loads;
    private readonly Counter refusals;

    public PolicyFigures(BrokerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        loads = registry.Make.CreateCounter(BrokerRegistry.Prefix + "policy_loads_total", "Policy files put in force, the one loaded at start included.");
        refusals = registry.Make.CreateCounter(BrokerRegistry.Prefix + "policy_refusals_total", "Changed policy files refused as invalid; the policy in force stayed.");
    }

    public void CountLoad() => loads.Inc();

    public void CountRefusal() => refusals.Inc();
}
