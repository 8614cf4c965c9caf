using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Audit;

/// <summary>The audit trail: the chain (keyed from the master key) and its verifier.</summary>
internal static class AuditSetup
{
    internal static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AuditChain(() => sp.GetRequiredService<MasterKey>()));
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<RequestAudit>();
        services.AddSingleton<BrokerEndpointFilter>();
        return services;
    }
}
