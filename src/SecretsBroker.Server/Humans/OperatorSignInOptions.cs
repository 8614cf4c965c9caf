using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Humans;

/// <summary>
/// The <c>Operators</c> configuration section: identity providers whose OIDC tokens sign people in as
/// operators, beside broker tokens. No issuers is valid: then only broker tokens authenticate
/// operators. Clock skew, token size and key refresh follow the <c>Workloads</c> settings.
/// </summary>
public sealed class OperatorSignInOptions
{
    public const string Section = "Operators";

    public List<HumanIssuerOptions> Issuers { get; } = [];
}

/// <summary>One identity provider for people: <c>Operators:Issuers:N</c>.</summary>
public sealed class HumanIssuerOptions : SignedTokenIssuerOptions
{
    /// <summary>The claim shown as the person in the audit trail; the subject when the token lacks it.</summary>
    public string NameClaim { get; set; } = "email";

    /// <summary>The claim holding the person's groups: an array of strings, or one string.</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>Broker scope → the groups that grant it, e.g. <c>operator: [oncall]</c>, <c>security: [secops]</c>.</summary>
    public Dictionary<string, List<string>> Scopes { get; } = new(StringComparer.Ordinal);
}
