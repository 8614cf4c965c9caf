using Dapper;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Answers readiness questions about the database: reachable, and every migration applied.</summary>
public sealed class SqliteHealthProbe(SqliteDatabase db)
{
    private static class Sql
    {
        public const string AppliedMigrations = "SELECT count(*) FROM SchemaVersions";
    }

    public async Task<bool> MigrationsAppliedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var applied = await c.ExecuteScalarAsync<long>(new CommandDefinition(Sql.AppliedMigrations, cancellationToken: ct));
        return applied == SqliteMigrator.Scripts.Count;
    }
}
