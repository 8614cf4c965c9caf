using System.Security.Claims;

namespace SecretsBroker.Server.Auth;

/// <summary>The claims the broker puts on an authenticated caller, and how they read back.</summary>
public static class CallerClaims
{
    public const string Scheme = "BrokerToken";
    public const string Scope = "scope";
    public const string Actor = "actor";

    public static string ActorOf(ClaimsPrincipal user) => user.FindFirst(Actor)?.Value ?? "anonymous";

    public static IReadOnlyList<string> ScopesOf(ClaimsPrincipal user) => user.FindAll(Scope).Select(c => c.Value).ToList();
}
