using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>The seal check row, read before anything may change and written once, at first start.</summary>
public sealed class SqliteSealStore(SqliteDatabase db)
{
    private static class Sql
    {
        public const string TableExists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'broker_seal'";

        public const string Read = "SELECT seal_check FROM broker_seal WHERE id = 1";

        public const string Write = "INSERT INTO broker_seal (id, seal_check, created_at) VALUES (1, @SealCheck, @Now)";
    }

    /// <summary>The stored seal check, read without any chance of writing; null when none was stored yet.</summary>
    public async Task<string?> ReadAsync(CancellationToken ct)
    {
        if (!db.Exists)
        {
            return null;
        }

        await using var c = new SqliteConnection(db.ReadOnlyConnectionString);
        await c.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition(Sql.TableExists, cancellationToken: ct)) == 0)
        {
            return null;
        }

        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(Sql.Read, cancellationToken: ct));
    }

    public async Task WriteAsync(string sealCheck, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(Sql.Write, new { SealCheck = sealCheck, Now = now }, cancellationToken: ct));
    }
}
