using Dapper;
using DbUp;
using Microsoft.Data.Sqlite;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.IntegrationTests.Storage;

/// <summary>
/// A database written before credentials moved out of the lease row: the migration keeps the sealed
/// credentials of live leases (so their replays still work), drops those of ended leases, and leaves
/// the lease rows without a credential column.
/// </summary>
public sealed class CredentialMigrationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sb-migrate-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Live_credentials_move_to_their_own_table_and_the_lease_row_loses_its_credential_column()
    {
        var db = new SqliteDatabase(Path.Combine(folder, "broker.db"));
        ApplyScriptsUpTo(db, "0006");
        await using (var c = await db.OpenAsync(CancellationToken.None))
        {
            await c.ExecuteAsync("""
                INSERT INTO lease (id, role, provider, secret, handle, issuer, subject, run_id, step, purpose, rule, state,
                                   issued_at, expires_at, max_expires_at, renewable, credential)
                VALUES ('live', 'r', 'jwt', 's', 'live', 'github', 'sub', '1', 'deploy', 'smoke', 'rule', 'active', 1, 2, 3, 1, 'sealed-live'),
                       ('ended', 'r', 'jwt', 's', 'ended', 'github', 'sub', '1', 'deploy', 'smoke', 'rule', 'revoking', 1, 2, 3, 1, 'sealed-ended')
                """);
        }

        var applied = await SqliteMigrator.MigrateAsync(db, CancellationToken.None);

        await using var after = await db.OpenAsync(CancellationToken.None);
        var credentials = (await after.QueryAsync<(string LeaseId, string Ciphertext)>("SELECT lease_id, ciphertext FROM lease_credential ORDER BY lease_id")).ToList();
        var leaseColumns = (await after.QueryAsync<string>("SELECT name FROM pragma_table_info('lease')")).ToList();
        Assert.Contains(applied, s => s.Contains("0007", StringComparison.Ordinal));
        Assert.Equal([("live", "sealed-live")], credentials);
        Assert.DoesNotContain("credential", leaseColumns);
        Assert.Equal(2, await after.ExecuteScalarAsync<long>("SELECT count(*) FROM lease"));
    }

    private static void ApplyScriptsUpTo(SqliteDatabase db, string last)
    {
        db.Open().Dispose(); // creates the file in WAL mode, as the migrator does

        var result = DeployChanges.To
            .SqliteDatabase(db.ConnectionString)
            .WithScriptsEmbeddedInAssembly(
                typeof(SqliteMigrator).Assembly,
                n => n.StartsWith("Migrations.Sqlite.", StringComparison.Ordinal) && string.CompareOrdinal(n["Migrations.Sqlite.".Length..][..4], last) <= 0)
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);
    }
}
