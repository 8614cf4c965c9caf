using Microsoft.AspNetCore.Authorization;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Humans;
using SecretsBroker.Server.Workloads;

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
        // Operator endpoints take broker tokens and people's OIDC tokens; lease and run endpoints also
        // hand any other token to the workload handler. The token's claimed issuer only picks which
        // handler checks it; each checks everything itself. The default scheme, which authenticates every
        // request before its endpoint's policy does, selects as the endpoint's policy will: on a lease or
        // run endpoint a workload's token goes straight to the workload handler (whose result the policy
        // then reuses), not first through the broker-token handler only to be refused there.
        services.AddAuthentication(CallerClaims.OperatorScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BrokerTokenHandler>(CallerClaims.Scheme, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, WorkloadTokenHandler>(CallerClaims.WorkloadScheme, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, HumanTokenHandler>(CallerClaims.HumanScheme, null)
            .AddPolicyScheme(CallerClaims.OperatorScheme, null, o => o.ForwardDefaultSelector = http =>
                Pick(http, otherwise: TakesWorkloadTokens(http) ? CallerClaims.WorkloadScheme : CallerClaims.Scheme))
            .AddPolicyScheme(CallerClaims.SelectingScheme, null, o => o.ForwardDefaultSelector = http => Pick(http, otherwise: CallerClaims.WorkloadScheme));
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

    /// <summary>Whether the request's endpoint is authorized by a policy that takes workloads' tokens.</summary>
    private static bool TakesWorkloadTokens(HttpContext http)
    {
        foreach (var data in http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>() ?? [])
        {
            if (data.Policy is Workload or WorkloadOrOperator)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>No token or a broker token: the broker-token handler; a person's provider's token: the human handler; else <paramref name="otherwise"/>.</summary>
    private static string Pick(HttpContext http, string otherwise)
    {
        if (CallerClaims.BearerOf(http.Request) is not { } token || token.StartsWith(TokenSecret.Prefix, StringComparison.Ordinal))
        {
            return CallerClaims.Scheme;
        }

        var people = http.RequestServices.GetRequiredService<HumanIssuers>();
        return people.All.Count > 0 && people.Find(SignedTokenVerifier<HumanIssuer>.ClaimedIssuer(token)) is not null
            ? CallerClaims.HumanScheme
            : otherwise;
    }
}
