using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Database;
using SecretsBroker.Storage.Migration;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>The embedded broker's database file: its seal check, migrations, readiness and online backup.</summary>
public sealed class SqliteBrokerDatabase(SqliteDatabase db) : IBrokerDatabase
{
    private static class Sql
    {
        public const string SealTableExists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'broker_seal'";

        public const string ReadSeal = "SELECT seal_check FROM broker_seal WHERE id = 1";

        public const string WriteSeal = "INSERT INTO broker_seal (id, seal_check, created_at) VALUES (1, @SealCheck, @Now)";

        public const string AppliedMigrations = "SELECT count(*) FROM SchemaVersions";
    }

    public string Location => db.Path;

    public async Task<string?> ReadSealCheckAsync(CancellationToken ct)
    {
        DapperSetup.Register();
        if (!db.Exists)
        {
            return null;
        }

        await using var c = new SqliteConnection(db.ReadOnlyConnectionString);
        await c.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition(Sql.SealTableExists, cancellationToken: ct)) == 0)
        {
            return null;
        }

        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(Sql.ReadSeal, cancellationToken: ct));
    }

    public async Task WriteSealCheckAsync(string sealCheck, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(Sql.WriteSeal, new { SealCheck = sealCheck, Now = now }, cancellationToken: ct));
    }

    public Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        DapperSetup.Register();
        return SqliteMigrator.MigrateAsync(db, ct);
    }

    public async Task<DatabaseHealth> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            var applied = await c.ExecuteScalarAsync<long>(new CommandDefinition(Sql.AppliedMigrations, cancellationToken: ct));
            return new DatabaseHealth(true, applied == SqliteMigrator.Scripts.Count);
        }
        catch (SqliteException)
        {
            return new DatabaseHealth(false, false);
        }
    }

    public Task<string?> ReadMovedToAsync(CancellationToken ct) => Task.FromResult(MovedStoreMarker.Read(db.Path));

    public async Task BackupAsync(string destination, CancellationToken ct)
    {
        // Created empty and private first: SQLite then writes into a file no one else can open.
        OwnerOnlyFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        OwnerOnlyFiles.CreateFile(destination, mustBeNew: true);

        await using var source = await db.OpenAsync(ct);
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString());
        await target.OpenAsync(ct);

        // SQLite's online backup copies a consistent snapshot while writers go on.
        source.BackupDatabase(target);
    }

    public bool TakesBackups => true;

    /// <summary>Nothing to hold: one process per data folder (its lock file, taken as the broker unseals), hence per file.</summary>
    public Task<IAsyncDisposable> HoldFirstStartAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable>(NothingHeld.Instance);

    private sealed class NothingHeld : IAsyncDisposable
    {
        public static readonly NothingHeld Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
