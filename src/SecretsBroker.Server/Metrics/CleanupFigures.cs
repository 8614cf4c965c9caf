using Prometheus;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// Downstream clean-ups (removing a revoked lease's credential) that failed, and the retries they
/// caused, by provider. Every provider a role of the policy in force uses has its series from the
/// first scrape, at 0, so an alert on their rate has something to read before the first failure.
/// </summary>
public sealed class CleanupFigures : IRevocationAttempts
{
    private readonly Counter failures;
    private readonly Counter retries;

    public CleanupFigures(BrokerRegistry registry, IPolicySource policy)
    {
        ArgumentNullException.ThrowIfNull(registry);
        const string p = BrokerRegistry.Prefix;
        failures = registry.Make.CreateCounter(p + "downstream_cleanup_failures_total", "Attempts to remove a lease's downstream credential that failed; each is retried later, by provider.", ["provider"]);
        retries = registry.Make.CreateCounter(p + "downstream_cleanup_retries_total", "Attempts to remove a lease's downstream credential after an earlier attempt failed, by provider.", ["provider"]);
        registry.Registry.AddBeforeCollectCallback(() =>
        {
            foreach (var provider in policy.Current.Roles.Values.Select(r => r.Provider).Distinct(StringComparer.Ordinal))
            {
                failures.WithLabels(provider).Publish();
                retries.WithLabels(provider).Publish();
            }
        });
    }

    public void Attempted(string provider, bool retry, bool revoked)
    {
        if (retry)
        {
            retries.WithLabels(provider).Inc();
        }

        if (!revoked)
        {
            failures.WithLabels(provider).Inc();
        }
    }
}
