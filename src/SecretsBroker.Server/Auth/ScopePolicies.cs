using SecretsBroker.Core.Identity;

namespace SecretsBroker.Server.Auth;

/// <summary>One authorization policy per scope (admin includes the others), plus "any valid token".</summary>
public static class ScopePolicies
{
    public const string AnyToken = "any-token";

    public static string NameOf(string scope) => scope == AnyToken ? AnyToken : "scope:" + scope;

    public static IServiceCollection AddBrokerAuth(this IServiceCollection services)
    {
        services.AddAuthentication(CallerClaims.Scheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BrokerTokenHandler>(CallerClaims.Scheme, null);
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(AnyToken, p => p.RequireAuthenticatedUser());
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(NameOf(scope), p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Grants(CallerClaims.ScopesOf(c.User), scope)));
        }

        return services;
    }
}
