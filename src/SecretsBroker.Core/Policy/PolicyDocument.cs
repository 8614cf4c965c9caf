namespace SecretsBroker.Core.Policy;

/// <summary>
/// A validated policy: roles by name, rules in file order, and the SHA-256 of the file it came
/// from (recorded in the audit trail on every load).
/// </summary>
public sealed record PolicyDocument(IReadOnlyDictionary<string, RoleDefinition> Roles, IReadOnlyList<PolicyRule> Rules, string Hash)
{
    /// <summary>Denies everything: the policy in force before any file has loaded.</summary>
    public static PolicyDocument Empty { get; } = new(new Dictionary<string, RoleDefinition>(), [], "");
}
