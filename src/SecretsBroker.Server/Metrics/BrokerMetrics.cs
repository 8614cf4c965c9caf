using Prometheus;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// The lease endpoints' figures. Every label is bounded by configuration or by a stable code: a role
/// the policy defines (else <c>other</c>), an error code, a provider, a cause. No label ever carries a
/// subject, run, lease id, token or secret.
/// </summary>
public sealed class BrokerMetrics
{
    private const string Prefix = BrokerRegistry.Prefix;

    /// <summary>The role label of a request whose role the policy does not define: the caller's text is never a label.</summary>
    public const string OtherRole = "other";

    private readonly IPolicySource policy;
    private readonly Counter issued;
    private readonly Counter replayed;
    private readonly Counter denied;
    private readonly Counter renewed;
    private readonly Counter renewalsRefused;
    private readonly Counter revocations;
    private readonly Histogram issueDuration;

    public BrokerMetrics(BrokerRegistry registry, IPolicySource policy)
    {
        ArgumentNullException.ThrowIfNull(registry);
        this.policy = policy;
        var make = registry.Make;
        issued = make.CreateCounter(Prefix + "leases_issued_total", "Leases issued (a new credential minted), by role.", ["role"]);
        replayed = make.CreateCounter(Prefix + "leases_replayed_total", "Lease requests answered with a lease already issued (idempotency key or reuse window), by role.", ["role"]);
        denied = make.CreateCounter(Prefix + "leases_denied_total", "Lease requests refused, by role and error code.", ["role", "reason"]);
        renewed = make.CreateCounter(Prefix + "lease_renewals_total", "Leases renewed, by role.", ["role"]);
        renewalsRefused = make.CreateCounter(Prefix + "lease_renewals_refused_total", "Lease renewals refused, by error code.", ["reason"]);
        revocations = make.CreateCounter(
            Prefix + "lease_revocations_total",
            "Leases ended at the broker, by cause: expiry, run_completion, webhook, identity_revoke, manual.",
            ["cause"]);
        issueDuration = make.CreateHistogram(
            Prefix + "lease_issue_duration_seconds",
            "Time to issue a new lease (policy, provider mint and commit), by provider.",
            ["provider"],
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.002, 2, 12) });
    }

    /// <summary>Figures the lease endpoint's outcome: issued (with its latency) or replayed by the lease's role, refused by code.</summary>
    public void CountIssue(string askedRole, Result<IssuedLease> outcome, TimeSpan took)
    {
        if (!outcome.IsSuccess)
        {
            denied.WithLabels(RoleLabel(askedRole), outcome.Error!.Code).Inc();
            return;
        }

        var lease = outcome.Value.Lease;
        if (outcome.Value.Replayed)
        {
            replayed.WithLabels(RoleLabel(lease.Role)).Inc();
            return;
        }

        issued.WithLabels(RoleLabel(lease.Role)).Inc();
        issueDuration.WithLabels(lease.Provider).Observe(took.TotalSeconds);
    }

    public void CountRenewal(Result<IssuedLease> outcome)
    {
        if (outcome.IsSuccess)
        {
            renewed.WithLabels(RoleLabel(outcome.Value.Lease.Role)).Inc();
        }
        else
        {
            renewalsRefused.WithLabels(outcome.Error!.Code).Inc();
        }
    }

    public void CountRevocations(string cause, int leases)
    {
        if (leases > 0)
        {
            revocations.WithLabels(cause).Inc(leases);
        }
    }

    /// <summary>A role the policy in force defines is a bounded label; anything else a caller typed is not.</summary>
    private string RoleLabel(string role) => policy.Current.Roles.ContainsKey(role) ? role : OtherRole;
}
