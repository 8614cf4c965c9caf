using System.Net.Http.Json;
using System.Security.Cryptography;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Storage.Migration;

/// <summary>
/// <c>migrate-store</c> run as an operator runs it, the server binary against a stopped broker's data
/// folder and a PostgreSQL store made as the multi-node guide prescribes (a login owning its schema only).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MigrateStoreTests(FilledEmbeddedStore filled) : IClassFixture<FilledEmbeddedStore>, IAsyncLifetime
{
    private readonly string folder = filled.CopyForTest();

    private string DatabasePath => Path.Combine(folder, "broker.db");

    private string MarkerPath => DatabasePath + ".moved";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Moving_the_embedded_store_copies_every_row_of_every_table_into_the_target()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var before = await BrokerTables.ReadEmbeddedAsync(DatabasePath);

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.True(run.ExitCode == 0, run.Output);
        var copied = await BrokerTables.ReadTargetAsync(store.UnpooledConnectionString, before.Keys);
        Assert.Equal(before.Keys, copied.Keys);
        foreach (var (table, rows) in before)
        {
            Assert.True(rows.SequenceEqual(copied[table]), $"{table} differs after the move");
        }

        // Every broker table had something to copy, the long trail included: the comparison above compared rows, not empty sets.
        Assert.All(before, t => Assert.NotEmpty(t.Value));
        Assert.True(before["audit_event"].Count > FilledEmbeddedStore.BulkAuditEvents);
        Assert.Contains(before["lease"], row => row.Contains("state='active'", StringComparison.Ordinal));
        Assert.Contains(before["lease"], row => row.Contains("state='revoked'", StringComparison.Ordinal) || row.Contains("state='revoking'", StringComparison.Ordinal));
        Assert.Contains(before["lease"], row => row.Contains("break_glass=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_target_holds_no_table_the_move_did_not_fill_but_its_journal_and_its_origin()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var before = await BrokerTables.ReadEmbeddedAsync(DatabasePath);

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.True(run.ExitCode == 0, run.Output);
        var targetTables = await BrokerTables.TargetTablesAsync(store.UnpooledConnectionString);
        Assert.Equal(before.Keys.Append("schemaversions").Append("store_origin").Order(StringComparer.Ordinal), targetTables);
        await using var c = new NpgsqlConnection(store.UnpooledConnectionString);
        await c.OpenAsync();
        await using var origin = new NpgsqlCommand("SELECT source FROM store_origin", c);
        Assert.Equal(Path.GetFullPath(DatabasePath), await origin.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_audit_chain_verifies_on_the_target_with_the_master_key()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.True(run.ExitCode == 0, run.Output);
        var chain = new AuditChain(MasterKey.TryParse(await File.ReadAllTextAsync(Path.Combine(folder, "master.key")))!);
        await using var db = new PostgresDatabase(store.ConnectionString, store.Schema);
        var verification = await new AuditVerifier(new PostgresAuditStore(db, new PostgresAuditAppender(chain)), chain).VerifyAsync(CancellationToken.None);
        Assert.True(verification.Intact, verification.Problem);
        Assert.True(verification.Checked > FilledEmbeddedStore.BulkAuditEvents);
        Assert.Contains($"Audit chain verified on the target: {verification.Checked} events.", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_database_file_is_left_byte_for_byte_as_it_was()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var files = DatabaseFiles();
        var hash = SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath));

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(hash, SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath)));
        Assert.Equal(files, DatabaseFiles());
    }

    [Fact]
    public async Task A_killed_broker_s_commits_still_in_the_write_ahead_log_are_moved_and_the_log_is_left_as_it_was()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var killed = Path.Combine(Path.GetTempPath(), "sb-killed-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var broker = await BrokerProcess.StartAsync(killed, new Dictionary<string, string?>()))
            {
                using var admin = broker.Client(broker.AdminToken);
                using var created = await admin.PostAsJsonAsync(SecretsBroker.Contracts.Routes.Tokens, new SecretsBroker.Contracts.Tokens.CreateTokenRequest("made-just-before-the-kill", ["operator"], null));
                created.EnsureSuccessStatusCode();
                await broker.KillAsync();
            }

            var databasePath = Path.Combine(killed, "broker.db");
            Assert.True(File.Exists(databasePath + "-wal"), "the kill left no write-ahead log, so this test proves nothing");
            var database = SHA256.HashData(await File.ReadAllBytesAsync(databasePath));
            var log = SHA256.HashData(await File.ReadAllBytesAsync(databasePath + "-wal"));

            var run = await ServerCommand.MigrateStoreAsync(killed, store.ConnectionString, store.Schema);

            Assert.True(run.ExitCode == 0, run.Output);
            var tokens = await BrokerTables.ReadTargetAsync(store.UnpooledConnectionString, ["operator_token"]);
            Assert.Contains(tokens["operator_token"], row => row.Contains("name='made-just-before-the-kill'", StringComparison.Ordinal));
            Assert.Equal(database, SHA256.HashData(await File.ReadAllBytesAsync(databasePath)));
            Assert.Equal(log, SHA256.HashData(await File.ReadAllBytesAsync(databasePath + "-wal")));
        }
        finally
        {
            Directory.Delete(killed, recursive: true);
        }
    }

    [Fact]
    public async Task Identities_made_after_the_move_get_ids_past_every_copied_one()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.True(run.ExitCode == 0, run.Output);
        await using var c = new NpgsqlConnection(store.UnpooledConnectionString);
        await c.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        foreach (var (insert, max) in new[]
        {
            ("INSERT INTO workload_claims (digest, issuer, claims) VALUES ('probe', 'github', '{}') RETURNING id", "SELECT max(id) FROM workload_claims"),
            ("INSERT INTO workload_identity (issuer, subject, claims, first_seen, last_seen) VALUES ('github', 'probe', '{}', 0, 0) RETURNING seq", "SELECT max(seq) FROM workload_identity"),
        })
        {
            var largest = (long)(await new NpgsqlCommand(max, c, tx).ExecuteScalarAsync())!;
            var made = (long)(await new NpgsqlCommand(insert, c, tx).ExecuteScalarAsync())!;
            Assert.True(made > largest, $"{insert} made {made}, not past {largest}");
        }

        await tx.RollbackAsync();
    }

    [Fact]
    public async Task The_moved_store_is_marked_owner_only_with_the_target_location_and_no_password_anywhere()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.True(run.ExitCode == 0, run.Output);
        var marker = await File.ReadAllTextAsync(MarkerPath);
        Assert.Equal($"postgresql://127.0.0.1:{PostgresCluster.Shared.Port}/{store.Database} (schema {store.Schema})", marker.Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(MarkerPath));
        Assert.DoesNotContain(store.Login.Password, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(store.Login.Password, marker, StringComparison.Ordinal);
        Assert.DoesNotContain(store.Login.Username, marker, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connection_string_given_on_the_command_line_is_never_printed()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();

        var run = await ServerCommand.RunAsync("migrate-store", "--to", store.ConnectionString, "--schema", store.Schema, $"--Broker:DataDirectory={folder}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain(store.Login.Password, run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(MarkerPath));
    }

    [Fact]
    public async Task A_second_move_is_refused_and_copies_nothing_more()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var first = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);
        Assert.True(first.ExitCode == 0, first.Output);
        var afterFirst = await BrokerTables.ReadTargetAsync(store.UnpooledConnectionString, await BrokerTables.TargetTablesAsync(store.UnpooledConnectionString));

        var second = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);
        // Even with the marker gone (deleted by hand), the target itself refuses a second copy.
        File.Delete(MarkerPath);
        var third = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("was already moved to", second.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, third.ExitCode);
        Assert.Contains("already holds broker data", third.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(MarkerPath));
        Assert.Equal(afterFirst, await BrokerTables.ReadTargetAsync(store.UnpooledConnectionString, afterFirst.Keys));
        Assert.DoesNotContain(store.Login.Password, second.Output + third.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_started_on_the_moved_embedded_store_refuses_to_start()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);
        Assert.True(run.ExitCode == 0, run.Output);
        var hash = SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath));

        var start = await ServerCommand.RunAsync("--urls=http://127.0.0.1:0", $"--Broker:DataDirectory={folder}");

        Assert.NotEqual(0, start.ExitCode);
        Assert.Contains($"was moved to postgresql://127.0.0.1:{PostgresCluster.Shared.Port}/{store.Database} (schema {store.Schema}) by migrate-store", start.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", start.Output, StringComparison.Ordinal);
        Assert.Equal(hash, SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath)));
    }

    [Fact]
    public async Task A_target_that_already_holds_broker_data_is_refused_and_left_as_it_was()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        await using (var db = new PostgresDatabase(store.ConnectionString, store.Schema))
        {
            await PostgresMigrator.MigrateAsync(db, CancellationToken.None);
        }

        await using (var c = new NpgsqlConnection(store.UnpooledConnectionString))
        {
            await c.OpenAsync();
            await using var seal = new NpgsqlCommand("INSERT INTO broker_seal (id, seal_check, created_at) VALUES (1, 'another-broker', 0)", c);
            await seal.ExecuteNonQueryAsync();
        }

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("already holds broker data (its table broker_seal has rows)", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(MarkerPath));
        var tables = await BrokerTables.ReadTargetAsync(store.UnpooledConnectionString, (await BrokerTables.TargetTablesAsync(store.UnpooledConnectionString)).Where(t => t != "schemaversions"));
        Assert.Equal(["created_at=0, id=1, seal_check='another-broker'"], tables["broker_seal"]);
        Assert.All(tables.Where(t => t.Key != "broker_seal"), t => Assert.Empty(t.Value));
        Assert.DoesNotContain(store.Login.Password, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copy_whose_audit_chain_does_not_verify_is_reported_and_not_marked_as_moved()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        TamperWithOneAuditEvent();

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("its audit chain does not verify (mac_mismatch at event 5", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("is NOT marked as moved", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(MarkerPath));
        var origin = await BrokerTables.ReadTargetAsync(store.UnpooledConnectionString, ["store_origin"]);
        Assert.Empty(origin["store_origin"]);
    }

    [Fact]
    public async Task A_running_broker_keeps_the_move_from_starting()
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        await using var broker = await BrokerProcess.StartAsync(folder, new Dictionary<string, string?>());

        var run = await ServerCommand.MigrateStoreAsync(folder, store.ConnectionString, store.Schema);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Another broker process is using the data folder", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Stop the broker before moving its store.", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(MarkerPath));
        Assert.Empty(await BrokerTables.TargetTablesAsync(store.UnpooledConnectionString));
    }

    private Dictionary<string, string> DatabaseFiles() =>
        new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" }.Where(File.Exists).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>An edit by someone with write access to the file, who has to drop the append-only trigger first.</summary>
    private void TamperWithOneAuditEvent()
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        c.Open();
        using var edit = c.CreateCommand();
        edit.CommandText = "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET reason = 'edited' WHERE seq = 5; PRAGMA wal_checkpoint(TRUNCATE);";
        edit.ExecuteNonQuery();
    }
}
