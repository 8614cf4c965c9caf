using SecretsBroker.Core.Identity;

namespace SecretsBroker.Server.Auth;

/// <summary>One authorization policy per scope (admin includes the others), plus "any valid token".</summary>
public static class ScopePolicies
{
    public const string AnyToken = "any-token";
    public const string Workload = "workload";
    public const string WorkloadOrOperator = "workload-or-operator";

    public static string NameOf(string scope) => scope is AnyToken or Workload or WorkloadOrOperator ? scope : "scope:" + scope;

    public static IServiceCollection AddBrokerAuth(this IServiceCollection services)
    {
        // Operator endpoints know only broker tokens; lease and run endpoints authenticate through the
        // selecting scheme, which hands a non-broker token to the workload handler.
        services.AddAuthentication(CallerClaims.Scheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BrokerTokenHandler>(CallerClaims.Scheme, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, WorkloadTokenHandler>(CallerClaims.WorkloadScheme, null)
            .AddPolicyScheme(CallerClaims.SelectingScheme, null, o => o.ForwardDefaultSelector = http =>
                CallerClaims.BearerOf(http.Request) is { } token && !token.StartsWith(TokenSecret.Prefix, StringComparison.Ordinal)
                    ? CallerClaims.WorkloadScheme
                    : CallerClaims.Scheme);
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(AnyToken, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasClaim(x => x.Type == CallerClaims.Scope)))
            .AddPolicy(Workload, p => p.AddAuthenticationSchemes(CallerClaims.SelectingScheme).RequireAuthenticatedUser().RequireClaim(CallerClaims.Workload))
            .AddPolicy(WorkloadOrOperator, p => p.AddAuthenticationSchemes(CallerClaims.SelectingScheme).RequireAuthenticatedUser().RequireAssertion(c =>
                c.User.HasClaim(x => x.Type == CallerClaims.Workload) || Scopes.Grants(CallerClaims.ScopesOf(c.User), Scopes.Operator)
                || Scopes.Grants(CallerClaims.ScopesOf(c.User), Scopes.Security)));
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(NameOf(scope), p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Grants(CallerClaims.ScopesOf(c.User), scope)));
        }

        return services;
    }
}
