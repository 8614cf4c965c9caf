using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Database;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Backups;

/// <summary>Backups: the service that writes them into the configured folder.</summary>
internal static class BackupsSetup
{
    internal static IServiceCollection AddBackups(this IServiceCollection services) =>
        services.AddSingleton(sp => new DatabaseBackups(
            sp.GetRequiredService<IBrokerDatabase>(), sp.GetRequiredService<IAuditStore>(), sp.GetRequiredService<IClock>(), sp.GetRequiredService<BrokerOptions>().BackupPath));
}
