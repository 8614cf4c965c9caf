using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Server.Auth;

namespace SecretsBroker.Server.Identities;

/// <summary>Compromised-identity response and the inventory: the in-memory block gate and the service.</summary>
internal static class IdentitySetup
{
    /// <summary>The lease inventory is for the security team and for operators, not for workloads.</summary>
    internal const string InventoryReaders = "security-or-operator";

    internal static IServiceCollection AddIdentityResponse(this IServiceCollection services)
    {
        // A singleton by design: the block rules held in memory are the ones issuance checks.
        services.AddSingleton<IdentityGate>();
        services.AddSingleton<IdentityResponse>();
        services.AddHostedService<BlockRuleRefresher>();
        services.AddAuthorizationBuilder().AddPolicy(InventoryReaders, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
            Scopes.Grants(CallerClaims.ScopesOf(c.User), Scopes.Security) || Scopes.Grants(CallerClaims.ScopesOf(c.User), Scopes.Operator)));
        return services;
    }
}
