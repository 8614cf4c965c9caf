using SecretsBroker.Core.Identity;

namespace SecretsBroker.Server.Tokens;

/// <summary>Operator tokens: the service that issues and checks them.</summary>
internal static class TokensSetup
{
    internal static IServiceCollection AddOperatorTokens(this IServiceCollection services)
    {
        services.AddSingleton<OperatorTokenService>();
        return services;
    }
}
