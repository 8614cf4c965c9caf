using System.Reflection;
using DbUp;
using DbUp.Engine;
using Npgsql;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Applies the numbered scripts under <c>migrations/postgresql</c> (embedded in this assembly) with
/// DbUp, which records each in <c>schemaversions</c> in the broker's schema. Nodes starting together
/// take a PostgreSQL advisory lock first, so one migrates and the others find the work done.
/// </summary>
public static class PostgresMigrator
{
    private const string ResourcePrefix = "Migrations.Postgresql.";

    public static IReadOnlyList<string> Scripts { get; } = typeof(PostgresMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies what is pending and returns the names of the scripts applied now.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(PostgresDatabase db, CancellationToken ct)
    {
        // A session lock, held by this connection until it closes: the migration runs on DbUp's own.
        await using var lockConnection = await db.OpenAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext(current_schema() || '.migrate'))", lockConnection))
        {
            await take.ExecuteNonQueryAsync(ct);
        }

        // No schema given to DbUp: it would run CREATE SCHEMA IF NOT EXISTS, which needs CREATE on the
        // database even when the schema exists, and the broker's login owns its schema and nothing more.
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(db.ConnectionString)
            .JournalToPostgresqlTable(null, "schemaversions")
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed.", result.Error);
        }

        return result.Scripts.Select(s => s.Name).ToList();
    }
}
