using NodaTime;

namespace SecretsBroker.Core.Identity;

/// <summary>
/// A CI job proven by a valid OIDC token. <see cref="Issuer"/> is the trusted issuer's configured
/// name (e.g. "github"); <see cref="Claims"/> are the token's string claims as the issuer named
/// them; <see cref="RunId"/> and <see cref="JobId"/> come from the issuer's run and job claims,
/// <see cref="Project"/> from its project claim (GitHub's repository, GitLab's project path).
/// <see cref="TokenIssuedAt"/> is the token's <c>iat</c>, null when it has none.
/// </summary>
public sealed record WorkloadIdentity(
    string Issuer,
    string Subject,
    IReadOnlyDictionary<string, string> Claims,
    string RunId,
    string? JobId,
    Instant TokenExpiresAt,
    string? Project = null,
    Instant? TokenIssuedAt = null)
{
    /// <summary>The token's <see cref="Identity.ClaimSet"/>: made once per token (validations are cached), stored with each lease.</summary>
    public string ClaimSetJson { get; } = ClaimSet.Canonical(Claims);

    /// <summary>How the identity appears as an actor in the audit trail.</summary>
    public string Actor => $"workload:{Issuer}:{Subject}";
}
