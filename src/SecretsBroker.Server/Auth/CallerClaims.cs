using System.Security.Claims;

namespace SecretsBroker.Server.Auth;

/// <summary>The claims the broker puts on an authenticated caller, and how they read back.</summary>
public static class CallerClaims
{
    public const string Scheme = "BrokerToken";
    public const string WorkloadScheme = "WorkloadToken";
    public const string HumanScheme = "HumanToken";

    /// <summary>
    /// Operator endpoints: broker tokens (sbt_…), or the OIDC token of a person's identity provider
    /// (see <see cref="ScopePolicies"/>). The default scheme.
    /// </summary>
    public const string OperatorScheme = "Operator";

    /// <summary>Lease and run endpoints: as <see cref="OperatorScheme"/>, and any other token is a workload's OIDC token.</summary>
    public const string SelectingScheme = "Bearer";
    public const string Workload = "workload_issuer";
    public const string Scope = "scope";
    public const string Actor = "actor";

    /// <summary>The person a caller is or speaks for (<c>oidc:issuer:subject</c>), when known.</summary>
    public const string Person = "person";

    /// <summary>The id the two-person and review rules compare: the caller's person, else the token itself.</summary>
    public static string CallerIdOf(ClaimsPrincipal user) =>
        user.FindFirst(Person)?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
        ?? throw new InvalidOperationException("Operator endpoints let only authenticated callers through.");

    public static string ActorOf(ClaimsPrincipal user) => user.FindFirst(Actor)?.Value ?? "anonymous";

    /// <summary>The bearer token of a request, or null when there is none.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length
            ? header["Bearer ".Length..].Trim()
            : null;
    }

    public static IReadOnlyList<string> ScopesOf(ClaimsPrincipal user) => user.FindAll(Scope).Select(c => c.Value).ToList();
}
