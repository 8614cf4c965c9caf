using Dapper;
using Microsoft.Data.Sqlite;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Sqlite;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>
/// The SQLite stores as the broker wires them: a new database file in a temp folder, migrated by the
/// real migrator, every store over one group-commit writer and one audit appender. Disposing it stops
/// the writer, closes the pooled connections and deletes the folder.
/// </summary>
internal sealed class SqliteStores : IAsyncDisposable
{
    private readonly string folder;
    private readonly SqliteGroupCommit writes;

    private SqliteStores(string folder, SqliteDatabase db)
    {
        this.folder = folder;
        Database = db;
        writes = new SqliteGroupCommit(db);
        var chain = new AuditChain(MasterKey.Generate());
        var appender = new SqliteAuditAppender(chain);
        var identities = new SqliteIdentityStore(db, writes, appender);
        Stores = new BrokerStores
        {
            Leases = new SqliteLeaseStore(db, writes, appender),
            RunCompletions = new SqliteRunCompletionStore(writes, appender),
            LeaseInventory = new SqliteLeaseInventory(db),
            Secrets = new SqliteSecretStore(db, appender),
            Audit = new SqliteAuditStore(db, writes, appender),
            Identities = identities,
            BreakGlass = new SqliteBreakGlassStore(db, writes, appender),
            Alerts = new SqliteAlertOutbox(db, writes),
            Tokens = new SqliteOperatorTokenStore(db, appender),
            Chain = chain,
            Owner = this,
        };
    }

    public SqliteDatabase Database { get; }

    /// <summary>The one writer every store writes through, for tests that decide what lands in one batch.</summary>
    public SqliteGroupCommit Writes => writes;

    public BrokerStores Stores { get; }

    public static async Task<SqliteStores> OpenAsync()
    {
        DapperSetup.Register();
        var folder = Path.Combine(Path.GetTempPath(), "sb-contract-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var db = new SqliteDatabase(Path.Combine(folder, "broker.db"));
        await SqliteMigrator.MigrateAsync(db, CancellationToken.None);
        return new SqliteStores(folder, db);
    }

    /// <summary>Runs <paramref name="sql"/> on a connection of its own, as anyone with write access to the file could.</summary>
    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        await c.ExecuteAsync(sql, args);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with the audit trail's append-only triggers dropped and puts them back
    /// after, in one transaction: what someone with write access to the file would do to tamper.
    /// </summary>
    public async Task ExecuteWithoutAuditTriggersAsync(string sql, object? args = null)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        await using var tx = c.BeginTransaction();
        var triggers = (await c.QueryAsync<(string Name, string Sql)>(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'", transaction: tx)).ToList();
        Assert.NotEmpty(triggers);
        foreach (var trigger in triggers)
        {
            await c.ExecuteAsync($"DROP TRIGGER \"{trigger.Name}\"", transaction: tx);
        }

        await c.ExecuteAsync(sql, args, tx);
        foreach (var trigger in triggers)
        {
            await c.ExecuteAsync(trigger.Sql, transaction: tx);
        }

        await tx.CommitAsync();
    }

    public async Task<T> QueryScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await Database.OpenReadAsync(CancellationToken.None);
        return await c.ExecuteScalarAsync<T>(sql, args) ?? default!;
    }

    public async ValueTask DisposeAsync()
    {
        await writes.DisposeAsync();
        using (var pooled = new SqliteConnection(Database.ConnectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }

        Directory.Delete(folder, recursive: true);
    }
}
