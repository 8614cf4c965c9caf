using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Http;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Server.Audit;

/// <summary>The audit trail: the chain (keyed from the master key), its store, appender and verifier.</summary>
internal static class AuditSetup
{
    internal static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AuditChain(() => sp.GetRequiredService<MasterKey>()));
        services.AddSingleton<SqliteAuditAppender>();
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<RequestAudit>();
        services.AddSingleton<BrokerEndpointFilter>();
        return services;
    }
}
