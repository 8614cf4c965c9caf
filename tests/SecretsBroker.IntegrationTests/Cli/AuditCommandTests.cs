using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

public sealed class AuditCommandTests
{
    [Fact]
    public async Task Audit_list_shows_the_trail_oldest_first_ending_with_the_event_sbctl_just_caused()
    {
        await using var broker = await TestBroker.StartAsync();
        var security = await broker.CreateTokenAsync("auditor", "security");
        var name = BrokerFakers.Name("app-db");
        await PutSecretAsync(broker, name);

        var run = await broker.SbctlAsync(security, "audit", "list");

        Assert.Equal(0, run.ExitCode);
        var lines = run.StdoutLines();
        Assert.Equal(["SEQ", "AT", "ACTOR", "ACTION", "TARGET", "DECISION", "REASON"], Cells(lines[0]));
        var rows = lines[1..].Select(Cells).ToList();
        Assert.Equal(Enumerable.Range(1, rows.Count).Select(seq => seq.ToString(CultureInfo.InvariantCulture)), rows.Select(row => row[0]));
        var put = rows[^1];
        Assert.Matches(@"^token:[A-Za-z0-9_-]+:admin-initial$", put[2]);
        Assert.Equal(["secret.put", $"secret:{name}", "allowed", "version", "1"], put[3..]);
    }

    [Fact]
    public async Task Audit_list_with_a_limit_prints_one_page_and_the_command_for_the_next()
    {
        await using var broker = await TestBroker.StartAsync();
        await PutSecretAsync(broker, BrokerFakers.Name("a-db"));
        await PutSecretAsync(broker, BrokerFakers.Name("b-db"));
        await PutSecretAsync(broker, BrokerFakers.Name("c-db"));

        var run = await broker.SbctlAsync(broker.AdminToken, "audit", "list", "--limit", "2");

        Assert.Equal(0, run.ExitCode);
        var lines = run.StdoutLines();
        Assert.Equal(4, lines.Length);
        Assert.Equal(["1", "2"], lines[1..3].Select(line => Cells(line)[0]));
        Assert.Equal("more events: sbctl audit list --after 2", lines[3]);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task Audit_list_refuses_a_limit_that_is_not_a_positive_number_with_a_usage_error(string limit)
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(broker.AdminToken, "audit", "list", "--limit", limit);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal("error: usage: --limit must be a positive number. See 'sbctl audit list --help'.", run.SingleStderrLine());
    }

    [Fact]
    public async Task Audit_list_all_follows_every_page_to_the_last_event()
    {
        await using var broker = await TestBroker.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await PutSecretAsync(broker, BrokerFakers.Name("app-db"));
        }

        var everything = await ReadPageAsync(broker, "audit", "list", "--limit", "1000", "--json");
        var run = await broker.SbctlAsync(broker.AdminToken, "audit", "list", "--all", "--limit", "2", "--json");

        Assert.Equal(0, run.ExitCode);
        var followed = JsonSerializer.Deserialize<AuditPage>(run.Stdout, JsonSerializerOptions.Web)!;
        Assert.True(everything.Events.Count > 4, "the trail should span several pages of 2");
        Assert.Equal(everything.Events.Select(e => e.Seq), followed.Events.Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(1, everything.Events.Count).Select(seq => (long)seq), followed.Events.Select(e => e.Seq));
        Assert.Null(followed.Next);
    }

    [Fact]
    public async Task Audit_list_json_parses_into_an_AuditPage_whose_events_say_they_came_from_sbctl()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        await PutSecretAsync(broker, name);

        var page = await ReadPageAsync(broker, "audit", "list", "--json");

        Assert.Null(page.Next);
        var put = Assert.Single(page.Events, e => e.Action == "secret.put");
        Assert.Equal($"secret:{name}", put.Target);
        Assert.Equal("allowed", put.Decision);
        Assert.StartsWith("sbctl/", put.Request.UserAgent, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(put.Mac));
    }

    [Fact]
    public async Task Audit_verify_exits_0_on_a_clean_trail_and_counts_every_event()
    {
        await using var broker = await TestBroker.StartAsync();
        await PutSecretAsync(broker, BrokerFakers.Name("app-db"));
        var events = (await ReadPageAsync(broker, "audit", "list", "--json")).Events.Count;

        var run = await broker.SbctlAsync(broker.AdminToken, "audit", "verify");
        var json = await broker.SbctlAsync(broker.AdminToken, "audit", "verify", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([$"audit trail intact: {events} events checked"], run.StdoutLines());
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(new AuditVerification(true, events, null, null), JsonSerializer.Deserialize<AuditVerification>(json.Stdout, JsonSerializerOptions.Web));
    }

    [Fact]
    public async Task Audit_verify_exits_1_and_names_the_event_when_a_row_was_edited_on_disk()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        await PutSecretAsync(broker, name);
        var put = Assert.Single((await ReadPageAsync(broker, "audit", "list", "--json")).Events, e => e.Action == "secret.put");
        using (var disk = broker.OpenRawDatabase())
        {
            // An attacker with the file can drop the append-only trigger; only the MAC chain remains.
            using var tamper = disk.CreateCommand();
            tamper.CommandText = "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET target = 'secret:other' WHERE seq = $seq";
            tamper.Parameters.Add(new SqliteParameter("$seq", put.Seq));
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var run = await broker.SbctlAsync(broker.AdminToken, "audit", "verify");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"audit trail BROKEN at event {put.Seq}: ", Assert.Single(run.StdoutLines()), StringComparison.Ordinal);
        Assert.StartsWith($"error: audit_broken: the audit trail is broken at event {put.Seq}: ", run.SingleStderrLine(), StringComparison.Ordinal);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static async Task PutSecretAsync(TestBroker broker, string name)
    {
        var run = await broker.SbctlWithInputAsync(broker.AdminToken, """{"api_key": "k"}""", "secret", "put", name, "--type", "generic", "--from-stdin");
        Assert.Equal(0, run.ExitCode);
    }

    private static async Task<AuditPage> ReadPageAsync(TestBroker broker, params string[] args)
    {
        var run = await broker.SbctlAsync(broker.AdminToken, args);
        Assert.Equal(0, run.ExitCode);
        return JsonSerializer.Deserialize<AuditPage>(run.Stdout, JsonSerializerOptions.Web)!;
    }
}
