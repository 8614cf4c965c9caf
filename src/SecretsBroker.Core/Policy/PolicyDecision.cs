using NodaTime;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// The policy's answer. Allowed: the deciding rule, the role and the TTL granted (the ask, or the
/// role's default, capped by role and rule). Denied: a detail for the audit trail only; callers get
/// the code <c>policy_denied</c> and nothing of the policy's internals.
/// </summary>
public sealed record PolicyDecision(bool Allowed, string? Rule, RoleDefinition? Role, Duration Ttl, string Detail)
{
    public static PolicyDecision Deny(string detail) => new(false, null, null, Duration.Zero, detail);
}
