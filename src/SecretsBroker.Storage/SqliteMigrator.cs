using System.Reflection;
using DbUp;
using DbUp.Engine;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Storage;

/// <summary>
/// Applies the numbered scripts under <c>migrations/sqlite</c> (embedded in this assembly) with DbUp,
/// which records each applied script in <c>SchemaVersions</c>. A lock file beside the database keeps
/// two processes from migrating at once.
/// </summary>
public static class SqliteMigrator
{
    private const string ResourcePrefix = "Migrations.Sqlite.";

    public static IReadOnlyList<string> Scripts { get; } = typeof(SqliteMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies what is pending and returns the names of the scripts applied now.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(SqliteDatabase db, CancellationToken ct)
    {
        await using var migrationLock = await AcquireLockAsync(db.Path + ".migrate-lock", ct);

        // The first open creates the file and switches it to WAL before any table exists.
        await (await db.OpenAsync(ct)).DisposeAsync();

        var upgrader = DeployChanges.To
            .SqliteDatabase(db.ConnectionString)
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

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }
    }
}
