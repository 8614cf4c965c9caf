using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Policy;
using SecretsBroker.Providers.Jwt;
using SecretsBroker.Providers.Postgres;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Leases;

/// <summary>Leases: issuing, renewing and revoking, the providers, and the JWT introspection side.</summary>
internal static class LeasingSetup
{
    internal static IServiceCollection AddLeasing(this IServiceCollection services)
    {
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => Options(sp) is var o
            ? new LeaseSettings(Duration.FromSeconds(o.ReuseWindowSeconds), Duration.FromSeconds(o.StuckIssuingAfterSeconds))
            : LeaseSettings.Default);
        services.AddSingleton(sp => Options(sp) is var o
            ? new RevocationBackoff(Duration.FromSeconds(o.FirstRetrySeconds), Duration.FromSeconds(o.MaxRetrySeconds), o.FailuresBeforeAlert)
            : RevocationBackoff.Default);
        services.AddSingleton(sp => Options(sp) is var o
            ? new JwtSettings(o.JwtIssuer, Duration.FromHours(o.RetiredKeyRetentionHours))
            : JwtSettings.Default);

        // Resolved only after unsealing (requests and jobs wait for it); before that, asking for it throws.
        services.AddSingleton(sp => sp.GetRequiredService<BrokerNode>().Writer);
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<CredentialSeal>();
        services.AddSingleton<LeaseDenials>();
        services.AddSingleton<IdentityBlockCheck>();
        services.AddSingleton<LeaseReplay>();
        services.AddSingleton<LeaseMinter>();
        services.AddSingleton<LeaseIssuer>();
        services.AddSingleton<LeaseLookup>();
        services.AddSingleton<LeaseRenewer>();
        services.AddSingleton<LeaseRevocations>();

        services.AddSingleton<SigningKeys>();
        services.AddSingleton<ICredentialProvider, JwtCredentialProvider>();
        services.AddSingleton<JwksPublisher>();
        services.AddSingleton<TokenIntrospector>();

        // One pool of admin connections per root secret, shared by every request: a singleton, disposed with the host.
        services.AddSingleton<AdminDataSources>();
        services.AddSingleton<PostgresCredentialProvider>();
        services.AddSingleton<ICredentialProvider>(sp => sp.GetRequiredService<PostgresCredentialProvider>());
        services.AddSingleton<IDownstreamInventory>(sp => sp.GetRequiredService<PostgresCredentialProvider>());

        services.AddSingleton<ExpirySweep>();
        services.AddSingleton<LeaseRevoker>();
        services.AddSingleton<Reconciliation>();
        services.AddSingleton<OrphanSweep>();
        return services;
    }

    private static LeaseOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<LeaseOptions>>().Value;
}
