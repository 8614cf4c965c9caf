using Dapper;
using NodaTime;
using Npgsql;
using SecretsBroker.Core.Database;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// The broker's PostgreSQL store as a whole, shared by every node: its seal check, migrations,
/// readiness and the lock that lets one node at a time make a new store.
/// </summary>
public sealed class PostgresBrokerDatabase(PostgresDatabase db) : IBrokerDatabase
{
    private static class Sql
    {
        // A read-only transaction and a catalogue lookup: a node that stays sealed writes nothing.
        public const string ReadOnly = "SET TRANSACTION READ ONLY";

        public const string SealTable = "SELECT to_regclass('broker_seal')::text";

        public const string ReadSeal = "SELECT seal_check FROM broker_seal WHERE id = 1";

        public const string WriteSeal = "INSERT INTO broker_seal (id, seal_check, created_at) VALUES (1, @SealCheck, @Now)";

        public const string AppliedMigrations = "SELECT count(*) FROM schemaversions";

        public const string LockFirstStart = "SELECT pg_advisory_lock(hashtext(current_schema() || '.first-start'))";
    }

    public string Location => db.Location;

    public async Task<string?> ReadSealCheckAsync(CancellationToken ct)
    {
        DapperSetup.Register();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        await c.ExecuteAsync(new CommandDefinition(Sql.ReadOnly, transaction: tx, cancellationToken: ct));
        if (await c.ExecuteScalarAsync<string?>(new CommandDefinition(Sql.SealTable, transaction: tx, cancellationToken: ct)) is null)
        {
            return null;
        }

        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(Sql.ReadSeal, transaction: tx, cancellationToken: ct));
    }

    public async Task WriteSealCheckAsync(string sealCheck, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(Sql.WriteSeal, new { SealCheck = sealCheck, Now = now }, cancellationToken: ct));
    }

    public Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        DapperSetup.Register();
        return PostgresMigrator.MigrateAsync(db, ct);
    }

    public async Task<DatabaseHealth> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            var applied = await c.ExecuteScalarAsync<long>(new CommandDefinition(Sql.AppliedMigrations, cancellationToken: ct));
            return new DatabaseHealth(true, applied == PostgresMigrator.Scripts.Count);
        }
        catch (PostgresException)
        {
            // It answered: the schema is what is missing.
            return new DatabaseHealth(true, false);
        }
        catch (NpgsqlException)
        {
            return new DatabaseHealth(false, false);
        }
    }

    /// <summary>
    /// Never called (<see cref="TakesBackups"/> is false): PostgreSQL is backed up by its own tools (pg_dump, or base backups with WAL archiving for a point
    /// in time), which an operator running it highly available already has; see deploy/several-nodes.md.
    /// </summary>
    public Task BackupAsync(string destination, CancellationToken ct) =>
        throw new NotSupportedException("A PostgreSQL store is backed up with PostgreSQL's own tools.");

    public bool TakesBackups => false;

    public async Task<IAsyncDisposable> HoldFirstStartAsync(CancellationToken ct)
    {
        // A session lock on a connection of its own: released when it closes, however the process ends.
        var connection = await db.OpenAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(Sql.LockFirstStart, cancellationToken: ct));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
