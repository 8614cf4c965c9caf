using Dapper;
using Microsoft.Data.Sqlite;
using SecretsBroker.Core.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Audit;

/// <summary>
/// Someone with write access to the database file goes after the trail. The triggers stop a plain
/// UPDATE or DELETE; once they are dropped, the MAC chain and the head show where the trail was changed.
/// </summary>
public sealed class AuditTamperingTests
{
    /// <summary>The trail every test starts from: the initial admin token's event, then seven more.</summary>
    private const long Events = 8;

    [Fact]
    public async Task An_untouched_trail_verifies_as_intact()
    {
        await using var broker = await StartWithTrailAsync();
        using var auditor = broker.Client(await broker.CreateTokenAsync("auditor", "security"));

        var verification = await AuditTrail.VerifyAsync(auditor);

        Assert.Equal(new Contracts.Audit.AuditVerification(true, Events + 1, null, null), verification);
    }

    [Fact]
    public async Task The_triggers_refuse_to_update_or_delete_an_audit_event()
    {
        await using var broker = await StartWithTrailAsync();
        using var raw = broker.OpenRawDatabase();

        var update = Record.Exception(() => raw.Execute("UPDATE audit_event SET actor = 'system' WHERE seq = 3"));
        var delete = Record.Exception(() => raw.Execute("DELETE FROM audit_event WHERE seq = 3"));

        Assert.Contains("append-only", Assert.IsType<SqliteException>(update).Message, StringComparison.Ordinal);
        Assert.Contains("append-only", Assert.IsType<SqliteException>(delete).Message, StringComparison.Ordinal);
        Assert.Equal(Events, raw.ExecuteScalar<long>("SELECT count(*) FROM audit_event"));
        Assert.NotEqual("system", raw.ExecuteScalar<string>("SELECT actor FROM audit_event WHERE seq = 3"));
        using var admin = broker.Admin();
        Assert.True((await AuditTrail.VerifyAsync(admin)).Intact);
    }

    [Fact]
    public async Task Editing_a_field_of_an_event_breaks_the_chain_at_that_event_with_a_mac_mismatch()
    {
        await using var broker = await StartWithTrailAsync();
        using (var raw = OpenWithoutTriggers(broker))
        {
            raw.Execute("UPDATE audit_event SET actor = 'system' WHERE seq = 4");
        }

        using var admin = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(admin);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, 3, 4, AuditVerification.MacMismatch), verification);
    }

    [Fact]
    public async Task Deleting_an_event_from_the_middle_breaks_the_chain_at_that_event_as_missing()
    {
        await using var broker = await StartWithTrailAsync();
        using (var raw = OpenWithoutTriggers(broker))
        {
            raw.Execute("DELETE FROM audit_event WHERE seq = 4");
        }

        using var admin = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(admin);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, 3, 4, AuditVerification.MissingEvent), verification);
    }

    [Fact]
    public async Task Deleting_the_newest_events_breaks_the_chain_at_the_first_deleted_event_as_a_head_mismatch()
    {
        await using var broker = await StartWithTrailAsync();
        using (var raw = OpenWithoutTriggers(broker))
        {
            raw.Execute("DELETE FROM audit_event WHERE seq > 6");
        }

        using var admin = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(admin);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, 6, 7, AuditVerification.HeadMismatch), verification);
    }

    [Fact]
    public async Task Deleting_the_newest_events_and_moving_the_head_back_is_caught_by_the_head_mac()
    {
        await using var broker = await StartWithTrailAsync();
        using (var raw = OpenWithoutTriggers(broker))
        {
            raw.Execute($"DELETE FROM audit_event WHERE seq > {Events - 2}");
            raw.Execute($"UPDATE audit_head SET seq = {Events - 2}, mac = (SELECT mac FROM audit_event WHERE seq = {Events - 2})");
        }

        using var admin = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(admin);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, Events - 2, Events - 1, AuditVerification.HeadMismatch), verification);
    }

    [Fact]
    public async Task Deleting_every_event_and_the_head_breaks_the_chain_at_the_first_event()
    {
        await using var broker = await StartWithTrailAsync();
        using (var raw = OpenWithoutTriggers(broker))
        {
            raw.Execute("DELETE FROM audit_event; DELETE FROM audit_head;");
        }

        using var admin = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(admin);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, 0, 1, AuditVerification.HeadMismatch), verification);
    }

    [Fact]
    public async Task Swapping_two_events_breaks_the_chain_at_the_earlier_of_them_with_a_mac_mismatch()
    {
        await using var broker = await StartWithTrailAsync();
        using (var raw = OpenWithoutTriggers(broker))
        {
            // Each event's MAC covers its sequence number, so an event moved to another place fails its own MAC there.
            raw.Execute("""
                CREATE TEMP TABLE swapped AS SELECT * FROM audit_event WHERE seq IN (3, 6);
                DELETE FROM audit_event WHERE seq IN (3, 6);
                INSERT INTO audit_event SELECT CASE seq WHEN 3 THEN 6 ELSE 3 END, id, at, actor, action, target, decision, reason,
                    request_id, remote_address, user_agent, previous_mac, mac FROM swapped;
                DROP TABLE swapped;
                """);
        }

        using var admin = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(admin);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, 2, 3, AuditVerification.MacMismatch), verification);
    }

    [Fact]
    public async Task Replacing_an_event_with_a_genuine_one_from_a_restored_backup_breaks_the_link_of_the_event_after_it()
    {
        await using var broker = await StartWithTrailAsync();
        var masterKey = (await File.ReadAllTextAsync(broker.MasterKeyPath)).Trim();
        var backupFolder = Path.Combine(Path.GetTempPath(), "sb-test-backup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(backupFolder);
        try
        {
            using (var raw = broker.OpenRawDatabase())
            using (var backup = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(backupFolder, "broker.db"), Pooling = false }.ToString()))
            {
                backup.Open();
                raw.BackupDatabase(backup);
            }

            // The live trail goes on with events 9 and 10; the restored backup gets its own, genuine, event 9.
            await broker.CreateTokenAsync("live-9", "operator");
            await broker.CreateTokenAsync("live-10", "operator");
            await using (var restored = await TestBroker.StartAsync(new TestBrokerOptions { DataDirectory = backupFolder, MasterKeyBase64 = masterKey }))
            {
                using var admin = restored.Client(broker.AdminToken);
                (await admin.DeleteAsync($"/v1/secrets/{BrokerFakers.Name("gone")}")).Dispose();
            }

            using (var raw = OpenWithoutTriggers(broker))
            {
                raw.Execute("ATTACH DATABASE @Backup AS backup", new { Backup = Path.Combine(backupFolder, "broker.db") });
                raw.Execute("""
                    DELETE FROM audit_event WHERE seq = 9;
                    INSERT INTO audit_event SELECT * FROM backup.audit_event WHERE seq = 9;
                    """);
                raw.Execute("DETACH DATABASE backup");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(backupFolder, recursive: true);
        }

        using var client = broker.Admin();
        var verification = await AuditTrail.VerifyAsync(client);

        Assert.Equal(new Contracts.Audit.AuditVerification(false, 9, 10, AuditVerification.LinkBroken), verification);
    }

    [Fact]
    public async Task Sbctl_audit_verify_exits_zero_on_an_intact_trail()
    {
        await using var broker = await StartWithTrailAsync();
        var auditor = await broker.CreateTokenAsync("auditor", "security");

        var run = await VerifyWithSbctlAsync(broker, auditor);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"audit trail intact: {Events + 1} events checked", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sbctl_audit_verify_exits_non_zero_and_names_the_broken_event()
    {
        await using var broker = await StartWithTrailAsync();
        var auditor = await broker.CreateTokenAsync("auditor", "security");
        using (var raw = OpenWithoutTriggers(broker))
        {
            raw.Execute("UPDATE audit_event SET target = 'token:someone-else' WHERE seq = 5");
        }

        var run = await VerifyWithSbctlAsync(broker, auditor);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("audit trail BROKEN at event 5: mac_mismatch", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("audit_broken", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("event 5", run.Stderr, StringComparison.Ordinal);
    }

    private static Task<SbctlRun> VerifyWithSbctlAsync(TestBroker broker, string token) =>
        broker.SbctlAsync(token, "audit", "verify");

    private static async Task<TestBroker> StartWithTrailAsync()
    {
        var broker = await TestBroker.StartAsync();
        for (var i = 2; i <= Events; i++)
        {
            await broker.CreateTokenAsync($"ci-{i}", "operator");
        }

        return broker;
    }

    /// <summary>What an attacker with the file does first: drop the triggers that keep the trail append-only.</summary>
    private static SqliteConnection OpenWithoutTriggers(TestBroker broker)
    {
        var raw = broker.OpenRawDatabase();
        raw.Execute("DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;");
        return raw;
    }
}
