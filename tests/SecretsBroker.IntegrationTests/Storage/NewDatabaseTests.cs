using Dapper;
using Microsoft.Data.Sqlite;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.IntegrationTests.Storage;

/// <summary>What a new database file is made with, which no later setting can change.</summary>
public sealed class NewDatabaseTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sb-newdb-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_new_database_has_8_KiB_pages_and_write_ahead_logging()
    {
        var db = new SqliteDatabase(Path.Combine(folder, "broker.db"));

        await SqliteMigrator.MigrateAsync(db, CancellationToken.None);

        await using var c = await db.OpenReadAsync(CancellationToken.None);
        Assert.Equal(8192, await c.ExecuteScalarAsync<long>("PRAGMA page_size"));
        Assert.Equal("wal", await c.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }
}
