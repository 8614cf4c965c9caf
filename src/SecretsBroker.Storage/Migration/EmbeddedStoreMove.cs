using System.Data.Common;
using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Storage.Migration;

/// <summary>
/// The offline move of an embedded store into PostgreSQL (<c>migrate-store</c>), run with the broker
/// stopped: copy every table into an empty target, verify the copied audit chain with the master key,
/// then mark the embedded store as moved so that no broker serves from it again.
/// </summary>
public static class EmbeddedStoreMove
{
    private static class Sql
    {
        public const string RecordOrigin = "INSERT INTO store_origin (id, source, copied_at) VALUES (1, @Source, @CopiedAt)";

        public const string AppliedMigrations = "SELECT count(*) FROM SchemaVersions";
    }

    /// <summary>
    /// Moves the store at <paramref name="databasePath"/> into <paramref name="schema"/> of the database
    /// <paramref name="connectionString"/> names. Progress goes to <paramref name="output"/>, a refusal or
    /// failure to <paramref name="error"/>; neither ever shows the connection string. True when the copy
    /// was verified and the embedded store is marked as moved.
    /// </summary>
    public static async Task<bool> RunAsync(string databasePath, string connectionString, string schema, MasterKey masterKey, IClock clock, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        DapperSetup.Register();
        try
        {
            var source = new SqliteDatabase(databasePath);
            await CheckSourceAsync(source, masterKey, ct);
            await using var target = OpenTarget(connectionString, schema);
            await output.WriteLineAsync($"Copying {source.Path} to {target.Location}.");
            await PostgresMigrator.MigrateAsync(target, ct);
            var copied = await new StoreCopier(source, target).CopyAsync(ct);
            foreach (var table in copied)
            {
                await output.WriteLineAsync($"  {table.Table}: {table.Rows} rows");
            }

            var chain = new AuditChain(masterKey);
            var verification = await new AuditVerifier(new PostgresAuditStore(target, new PostgresAuditAppender(chain)), chain).VerifyAsync(ct);
            if (!verification.Intact)
            {
                await error.WriteLineAsync(
                    $"error: the copy was committed to {target.Location} but its audit chain does not verify ({verification.Problem} at event {verification.FirstBrokenSeq}, {verification.Checked} events intact). " +
                    $"The embedded store {source.Path} is NOT marked as moved and stays the broker's store; empty the target schema before trying again.");
                return false;
            }

            await output.WriteLineAsync($"Audit chain verified on the target: {verification.Checked} events.");

            // The marker first: once it exists no broker serves from the embedded file, which is the
            // property that matters; the origin row only tells the target's readers where it came from.
            MovedStoreMarker.Write(source.Path, target.Location);
            await RecordOriginAsync(target, source.Path, clock.GetCurrentInstant(), ct);
            await output.WriteLineAsync($"Moved. {MovedStoreMarker.PathFor(source.Path)} now keeps a broker from starting on the embedded store; start the broker on {target.Location}.");
            return true;
        }
        catch (StoreMoveRefusedException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return false;
        }
        catch (DbException e)
        {
            // Npgsql and SQLite messages name hosts, users, tables and SQL states, never a password.
            await error.WriteLineAsync($"error: the copy failed and nothing was marked as moved: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return false;
        }
    }

    private static async Task CheckSourceAsync(SqliteDatabase source, MasterKey masterKey, CancellationToken ct)
    {
        var database = new SqliteBrokerDatabase(source);
        if (await database.ReadMovedToAsync(ct) is { } movedTo)
        {
            throw new StoreMoveRefusedException($"The embedded store {source.Path} was already moved to {movedTo} ({MovedStoreMarker.PathFor(source.Path)}).");
        }

        if (!source.Exists)
        {
            throw new StoreMoveRefusedException($"There is no embedded store at {source.Path}.");
        }

        if (await database.ReadSealCheckAsync(ct) is not { } sealCheck)
        {
            throw new StoreMoveRefusedException($"The embedded store {source.Path} never finished its first start; there is nothing to move.");
        }

        if (!SealCheck.Matches(masterKey, sealCheck))
        {
            throw new StoreMoveRefusedException($"The master key does not match the embedded store {source.Path}; the copy could not be verified with it.");
        }

        await using var c = new Microsoft.Data.Sqlite.SqliteConnection(source.ReadOnlyConnectionString);
        await c.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition(Sql.AppliedMigrations, cancellationToken: ct)) != SqliteMigrator.Scripts.Count)
        {
            throw new StoreMoveRefusedException($"The embedded store {source.Path} is not migrated to this version's schema; start the broker of this version on it once, stop it, then move it.");
        }
    }

    private static PostgresDatabase OpenTarget(string connectionString, string schema)
    {
        if (!SchemaName.IsValid(schema))
        {
            throw new StoreMoveRefusedException($"The schema name {schema} is not lower-case letters, digits and '_', starting with a letter.");
        }

        try
        {
            return new PostgresDatabase(connectionString, schema);
        }
        catch (ArgumentException)
        {
            // The parser's message may quote part of the string, which can be the password.
            throw new StoreMoveRefusedException("The target connection string could not be read (it is not repeated here).");
        }
    }

    private static async Task RecordOriginAsync(PostgresDatabase target, string sourcePath, Instant now, CancellationToken ct)
    {
        await using var c = await target.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(Sql.RecordOrigin, new { Source = Path.GetFullPath(sourcePath), CopiedAt = now }, cancellationToken: ct));
    }
}
