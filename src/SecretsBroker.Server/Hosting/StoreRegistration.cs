using Microsoft.Extensions.Options;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// The one place the server names a store: everything else talks to the stores through Core's
/// interfaces, whichever <see cref="StorageOptions.Provider"/> registered them.
/// </summary>
internal static class StoreRegistration
{
    internal static IServiceCollection AddBrokerStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (storage.IsShared)
        {
            return services.AddPostgresStorage(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.ReadConnectionString(), sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Schema);
        }

        // The job file is opened when the job server starts, after unsealing took the data folder's lock: one broker process per folder.
        return services.AddSqliteStorage(sp => sp.GetRequiredService<BrokerOptions>().DatabasePath, sp => sp.GetRequiredService<BrokerOptions>().JobStoragePath);
    }
}
