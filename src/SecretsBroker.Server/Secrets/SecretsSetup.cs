using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Providers.Postgres;
using SecretsBroker.Storage.KeyRing;

namespace SecretsBroker.Server.Secrets;

/// <summary>The vault: Data Protection with its key ring in the broker database (the store registers it), sealed by the master key.</summary>
internal static class SecretsSetup
{
    internal static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("SecretsBroker");
        services.AddSingleton(sp => new MasterKeyXmlEncryptor(() => sp.GetRequiredService<MasterKey>()));
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            o.XmlRepository = sp.GetRequiredService<IXmlRepository>();
            o.XmlEncryptor = sp.GetRequiredService<MasterKeyXmlEncryptor>();
        });

        services.AddSingleton<SecretVault>();
        services.AddSingleton<SecretRotation>();
        services.AddSingleton(sp => new BrokerInstance(() => sp.GetRequiredService<MasterKey>()));
        services.AddSingleton<ISecretRotator, PostgresAdminRotator>();
        services.AddSingleton<ISecretTargetCheck, PostgresAdminCheck>();
        return services;
    }

    /// <summary>
    /// Data Protection loads its key ring in a hosted service at start, before the broker may know it
    /// is sealed; here the key ring is read on first use instead, which only an unsealed broker
    /// reaches. Call last: other features (authentication) register Data Protection again.
    /// </summary>
    internal static IServiceCollection LoadKeyRingOnFirstUse(this IServiceCollection services)
    {
        var warmUp = services.Where(d => d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList();
        warmUp.ForEach(d => services.Remove(d));
        return services;
    }
}
