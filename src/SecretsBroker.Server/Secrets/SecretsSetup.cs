using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.KeyRing;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Server.Secrets;

/// <summary>The vault: Data Protection with its key ring in the database, sealed by the master key.</summary>
internal static class SecretsSetup
{
    internal static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("SecretsBroker");
        services.AddSingleton<SqliteXmlRepository>();
        services.AddSingleton<MasterKeyXmlEncryptor>();
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            o.XmlRepository = sp.GetRequiredService<SqliteXmlRepository>();
            o.XmlEncryptor = sp.GetRequiredService<MasterKeyXmlEncryptor>();
        });

        // Data Protection warms its key ring in a hosted service at start; here the key ring may be
        // read only once the broker is unsealed, and is loaded on first use instead.
        var warmUp = services.Where(d => d.ImplementationType?.Name == "DataProtectionHostedService").ToList();
        warmUp.ForEach(d => services.Remove(d));

        services.AddSingleton<ISecretStore, SqliteSecretStore>();
        services.AddSingleton<SecretVault>();
        return services;
    }
}
