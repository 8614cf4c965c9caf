using System.Text;
using NodaTime;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// Decides a lease ask against a policy. Deny by default: the first rule in file order that matches
/// the identity (issuer and every claim) and allows the role, step and purpose decides; when none
/// does, the answer is a denial whose detail, for the audit trail only, says how close a rule came.
/// </summary>
public sealed class PolicyEvaluator
{
    /// <summary>Ask values come from the workload; in an audit detail they are cut to this length.</summary>
    private const int MaxQuotedLength = 64;

    /// <summary>How far a rule got before it failed, in the order the checks are made.</summary>
    private enum Stage
    {
        Issuer,
        Claims,
        Role,
        Step,
        Purpose,
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A service, injected where decisions are made like every other.")]
    public PolicyDecision Decide(PolicyDocument policy, WorkloadIdentity who, LeaseAsk ask)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(ask);

        if (policy.Rules.Count == 0)
        {
            return PolicyDecision.Deny("the policy has no rules, so it allows nothing");
        }

        if (!policy.Roles.TryGetValue(ask.Role, out var role))
        {
            return PolicyDecision.Deny($"unknown role {Quote(ask.Role)}");
        }

        if (ask.Ttl <= Duration.Zero)
        {
            return PolicyDecision.Deny("the requested TTL is not positive");
        }

        PolicyRule? closest = null;
        var closestStage = Stage.Issuer;
        string? failedClaim = null;
        foreach (var rule in policy.Rules)
        {
            var (stage, claim) = FirstMiss(rule, who, ask);
            if (stage is null)
            {
                return Allow(rule, role, ask);
            }

            if (closest is null || stage > closestStage)
            {
                (closest, closestStage, failedClaim) = (rule, stage.Value, claim);
            }
        }

        return PolicyDecision.Deny(Explain(closest!, closestStage, failedClaim, who, ask));
    }

    /// <summary>The first check <paramref name="rule"/> fails (and the claim, when that is where), or null when it allows the ask.</summary>
    private static (Stage? Stage, string? Claim) FirstMiss(PolicyRule rule, WorkloadIdentity who, LeaseAsk ask)
    {
        if (!string.Equals(rule.Issuer, who.Issuer, StringComparison.Ordinal))
        {
            return (Stage.Issuer, null);
        }

        foreach (var (claim, pattern) in rule.Claims)
        {
            // A claim the token does not carry never matches, not even "*".
            if (!who.Claims.TryGetValue(claim, out var value) || !GlobPattern.IsMatch(pattern, value))
            {
                return (Stage.Claims, claim);
            }
        }

        if (!rule.Roles.Contains(ask.Role, StringComparer.Ordinal))
        {
            return (Stage.Role, null);
        }

        if (!rule.Steps.Any(step => GlobPattern.IsMatch(step, ask.Step)))
        {
            return (Stage.Step, null);
        }

        return rule.Purposes.Any(purpose => GlobPattern.IsMatch(purpose, ask.Purpose)) ? (null, null) : (Stage.Purpose, null);
    }

    private static PolicyDecision Allow(PolicyRule rule, RoleDefinition role, LeaseAsk ask)
    {
        var wanted = ask.Ttl ?? role.DefaultTtl;
        var cap = rule.MaxTtl is { } ruleCap && ruleCap < role.MaxTtl ? ruleCap : role.MaxTtl;
        var capBy = rule.MaxTtl is { } c && c < role.MaxTtl ? $"rule {rule.Name}" : $"role {role.Name}";
        var granted = wanted > cap ? cap : wanted;
        var detail = new StringBuilder($"rule {rule.Name} allowed role {role.Name} for {TtlText.Format(granted)}");
        if (granted < wanted)
        {
            detail.Append($" (asked {TtlText.Format(wanted)}, capped by {capBy})");
        }

        return new PolicyDecision(true, rule.Name, role, granted, detail.ToString());
    }

    private static string Explain(PolicyRule rule, Stage stage, string? claim, WorkloadIdentity who, LeaseAsk ask) => stage switch
    {
        Stage.Issuer => $"no rule for issuer {Quote(who.Issuer)}",
        Stage.Claims => $"no rule for issuer {Quote(who.Issuer)} matched the token's claims (rule {rule.Name}: claim {Quote(claim!)} "
                        + (who.Claims.ContainsKey(claim!) ? "does not match)" : "is missing)"),
        Stage.Role => $"rule {rule.Name} matched but role {Quote(ask.Role)} is not allowed",
        Stage.Step => $"rule {rule.Name} matched but step {Quote(ask.Step)} is not allowed",
        _ => $"rule {rule.Name} matched but purpose {Quote(ask.Purpose)} is not allowed",
    };

    /// <summary>A workload-given value, quoted, cut short and stripped of control characters, fit for one audit line.</summary>
    private static string Quote(string value)
    {
        var shown = value.Length > MaxQuotedLength ? value[..MaxQuotedLength] + "…" : value;
        return $"'{string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c))}'";
    }
}
