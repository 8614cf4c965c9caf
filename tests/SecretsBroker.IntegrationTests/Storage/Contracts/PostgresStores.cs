using Dapper;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.StoreContracts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>
/// The PostgreSQL stores as the broker wires them: a new store (its own login role and schemas, made
/// as the several-nodes guide prescribes) on the shared test cluster, migrated by the real migrator
/// and opened with that least-privileged login. Disposing it closes the pool and drops the schemas and role.
/// </summary>
internal sealed class PostgresStores : IAsyncDisposable
{
    private PostgresStores(PostgresStoreLogin login, PostgresDatabase db)
    {
        Login = login;
        Database = db;
        var chain = new AuditChain(MasterKey.Generate());
        var appender = new PostgresAuditAppender(chain);
        Stores = new BrokerStores
        {
            Leases = new PostgresLeaseStore(db, appender),
            RunCompletions = new PostgresRunCompletionStore(db, appender),
            LeaseInventory = new PostgresLeaseInventory(db),
            Secrets = new PostgresSecretStore(db, appender),
            Audit = new PostgresAuditStore(db, appender),
            Identities = new PostgresIdentityStore(db, appender),
            BreakGlass = new PostgresBreakGlassStore(db, appender),
            Alerts = new PostgresAlertOutbox(db),
            Tokens = new PostgresOperatorTokenStore(db, appender),
            Chain = chain,
            Owner = this,
        };
    }

    public PostgresStoreLogin Login { get; }

    public PostgresDatabase Database { get; }

    public BrokerStores Stores { get; }

    public static async Task<PostgresStores> OpenAsync()
    {
        DapperSetup.Register();
        var login = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var db = new PostgresDatabase(login.ConnectionString, login.Schema);
        await PostgresMigrator.MigrateAsync(db, CancellationToken.None);
        return new PostgresStores(login, db);
    }

    /// <summary>Runs <paramref name="sql"/> as the broker's login on a connection of its own, as anyone holding that login could.</summary>
    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var c = new NpgsqlConnection(Login.UnpooledConnectionString);
        await c.ExecuteAsync(sql, args);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with the audit trail's append-only triggers disabled and enables them
    /// after, in one transaction: what the owner of the tables could do to tamper.
    /// </summary>
    public async Task ExecuteWithoutAuditTriggersAsync(string sql, object? args = null)
    {
        await using var c = new NpgsqlConnection(Login.UnpooledConnectionString);
        await c.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        await c.ExecuteAsync("ALTER TABLE audit_event DISABLE TRIGGER USER", transaction: tx);
        await c.ExecuteAsync(sql, args, tx);
        await c.ExecuteAsync("ALTER TABLE audit_event ENABLE TRIGGER USER", transaction: tx);
        await tx.CommitAsync();
    }

    public async Task<T> QueryScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = new NpgsqlConnection(Login.UnpooledConnectionString);
        return await c.ExecuteScalarAsync<T>(sql, args) ?? default!;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await PostgresCluster.Shared.DropBrokerStoreAsync(Login);
    }
}
