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

namespace SecretsBroker.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file behind every store interface and the backend-neutral database.</summary>
public static class SqliteStorageSetup
{
    /// <summary>
    /// Registers the stores over the SQLite file at <paramref name="databasePath"/> and Hangfire's job
    /// storage in its own file at <paramref name="jobFilePath"/> (both read when first needed).
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> databasePath, Func<IServiceProvider, string> jobFilePath)
    {
        services.AddSqliteJobStorage(jobFilePath);
        services.AddSingleton(sp => new SqliteDatabase(databasePath(sp)));
        services.AddSingleton<IBrokerDatabase, SqliteBrokerDatabase>();

        // One writer for the whole file: a singleton by design (see SqliteGroupCommit).
        services.AddSingleton<SqliteGroupCommit>();
        services.AddSingleton<SqliteAuditAppender>();

        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<ILeaseStore, SqliteLeaseStore>();
        services.AddSingleton<IRunCompletionStore, SqliteRunCompletionStore>();
        services.AddSingleton<ILeaseInventory, SqliteLeaseInventory>();
        services.AddSingleton<ISecretStore, SqliteSecretStore>();
        services.AddSingleton<IIdentityStore, SqliteIdentityStore>();
        services.AddSingleton<IBlockRuleFeed, OneNodeBlockRules>();
        services.AddSingleton<IBreakGlassStore, SqliteBreakGlassStore>();
        services.AddSingleton<IAlertOutbox, SqliteAlertOutbox>();
        services.AddSingleton<IOperatorTokenStore, SqliteOperatorTokenStore>();

        // The Data Protection key ring lives in the same file, so the broker's keys and secrets are backed up together.
        services.AddSingleton<IXmlRepository>(sp => new KeyRingRepository(sp.GetRequiredService<SqliteDatabase>().Open));
        return services;
    }
}
