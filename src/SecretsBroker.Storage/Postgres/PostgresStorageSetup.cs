using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Database;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.KeyRing;

namespace SecretsBroker.Storage.Postgres;

/// <summary>The shared store: one PostgreSQL database behind every store interface, for any number of broker nodes.</summary>
public static class PostgresStorageSetup
{
    /// <summary>
    /// Registers the stores over the database <paramref name="connectionString"/> names, in
    /// <paramref name="schema"/>, with Hangfire's job storage beside it (both read when first needed).
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, Func<IServiceProvider, string> connectionString, Func<IServiceProvider, string> schema)
    {
        services.AddSingleton(sp => new PostgresDatabase(connectionString(sp), schema(sp)));
        services.AddSingleton<IBrokerDatabase, PostgresBrokerDatabase>();
        services.AddPostgresJobStorage();
        services.AddSingleton<PostgresAuditAppender>();

        services.AddSingleton<IAuditStore, PostgresAuditStore>();
        services.AddSingleton<ILeaseStore, PostgresLeaseStore>();
        services.AddSingleton<IRunCompletionStore, PostgresRunCompletionStore>();
        services.AddSingleton<ILeaseInventory, PostgresLeaseInventory>();
        services.AddSingleton<ISecretStore, PostgresSecretStore>();
        services.AddSingleton<IIdentityStore, PostgresIdentityStore>();
        services.AddSingleton<IBlockRuleFeed, PostgresBlockRuleFeed>();
        services.AddSingleton<IBreakGlassStore, PostgresBreakGlassStore>();
        services.AddSingleton<IAlertOutbox, PostgresAlertOutbox>();
        services.AddSingleton<IOperatorTokenStore, PostgresOperatorTokenStore>();

        // The key ring in the shared database: every node with the same master key reads what any node wrote.
        services.AddSingleton<IXmlRepository>(sp => new KeyRingRepository(sp.GetRequiredService<PostgresDatabase>().Open));
        return services;
    }
}
