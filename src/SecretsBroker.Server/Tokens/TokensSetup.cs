using SecretsBroker.Core.Identity;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Server.Tokens;

/// <summary>Operator tokens: the store and the service that issues and checks them.</summary>
internal static class TokensSetup
{
    internal static IServiceCollection AddOperatorTokens(this IServiceCollection services)
    {
        services.AddSingleton<IOperatorTokenStore, SqliteOperatorTokenStore>();
        services.AddSingleton<OperatorTokenService>();
        return services;
    }
}
