using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;
using SecretsBroker.Cli;
using SecretsBroker.IntegrationTests.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// <c>sbctl lease --format github</c> as a GitHub Actions step runs it: the variables land in <c>$GITHUB_ENV</c>
/// exactly as the runner's parser reads them, every credential value is masked before anything could print
/// it, and no value, however it is shaped, can end its entry early or add a variable.
/// </summary>
public sealed partial class GitHubFormatTests
{
    // The broker's fake clock starts at 2026-11-01T09:00:00Z; deploy-api leases last 10 minutes.
    private const string TenMinutesLater = "2026-11-01T09:10:00Z";

    private static string[] Lease(LeasingBroker world, string step = "deploy", string role = LeasingBroker.Role) =>
        ["lease", "--role", role, "--run", world.Ci.RunId, "--step", step, "--purpose", "smoke", "--format", "github"];

    [Fact]
    public async Task The_variables_appended_to_GITHUB_ENV_read_back_through_the_runners_parser_as_the_exact_lease_values()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        var githubEnv = folder.Sub("github-env");
        await File.WriteAllTextAsync(githubEnv, "EARLIER=from an earlier step\n");
        var job = CiJobShell.WithOidcToken(world, world.TokenFor()).Set(GitHubWorkflowCommands.EnvFileVariable, githubEnv);

        var leased = await job.SbctlAsync(Lease(world));
        // The same binding within a minute is a retry: the broker answers with the lease sbctl just wrote.
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy", "smoke");
        var variables = GitHubEnvFile.Parse(await File.ReadAllTextAsync(githubEnv));
        var seen = await world.IntrospectAsync(variables["SB_TOKEN"]);

        Assert.True(leased.ExitCode == 0, leased.Stderr);
        Assert.Equal("", leased.Stderr);
        Assert.True(issued.Replayed);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["EARLIER"] = "from an earlier step",
                ["SB_LEASE_ID"] = issued.Lease.Id,
                ["SB_LEASE_EXPIRES_AT"] = TenMinutesLater,
                ["SB_TOKEN"] = issued.Credential["token"],
                ["SB_TOKEN_TYPE"] = "Bearer",
            },
            variables);
        Assert.True(seen.Active);
        Assert.Equal(issued.Lease.Id, seen.Subject);
    }

    [Fact]
    public async Task Every_credential_value_is_masked_by_the_first_lines_on_stdout_and_no_other_output_shows_one()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        var githubEnv = folder.Sub("github-env");
        var job = CiJobShell.WithOidcToken(world, world.TokenFor()).Set(GitHubWorkflowCommands.EnvFileVariable, githubEnv);

        var leased = await job.SbctlAsync(Lease(world));
        var variables = GitHubEnvFile.Parse(await File.ReadAllTextAsync(githubEnv));
        var lines = leased.StdoutLines();
        var maskLines = lines.TakeWhile(line => line.StartsWith(GitHubRunnerLog.AddMask, StringComparison.Ordinal)).ToArray();
        var log = new GitHubRunnerLog();
        log.Add(leased.Stdout);
        log.Add(leased.Stderr);

        Assert.Equal(0, leased.ExitCode);
        // The credential fields are secret; the lease id and expiry are not.
        Assert.Equal(new[] { variables["SB_TOKEN"], "Bearer" }.Order(), log.Masks.Order());
        Assert.Equal(2, maskLines.Length);
        var rest = Assert.Single(lines.Skip(maskLines.Length));
        Assert.Equal($"lease '{variables["SB_LEASE_ID"]}' expires {TenMinutesLater}: SB_LEASE_ID, SB_LEASE_EXPIRES_AT, SB_TOKEN, SB_TOKEN_TYPE exported to $GITHUB_ENV", rest);
        Assert.DoesNotContain(variables["SB_TOKEN"], rest, StringComparison.Ordinal);
        Assert.DoesNotContain(variables["SB_TOKEN"], log.Text, StringComparison.Ordinal);
        Assert.Equal("", leased.Stderr);
    }

    [Fact]
    public async Task A_credential_value_holding_an_injected_NAME_line_and_a_delimiter_shaped_line_stays_one_variable_and_every_line_is_masked()
    {
        // A real lease whose database field is this value: a leading newline, then a line that would set EVIL,
        // then a line shaped like sbctl's delimiters (53 bytes, under PostgreSQL's 63).
        var database = "\nEVIL=1\nghadelimiter_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using var pg = await ChosenDatabaseBroker.StartAsync(database);
        using var folder = new RunnerFolder();
        var githubEnv = folder.Sub("github-env");
        var job = CiJobShell.WithOidcToken(pg.World, pg.World.TokenFor()).Set(GitHubWorkflowCommands.EnvFileVariable, githubEnv);

        var leased = await job.SbctlAsync(Lease(pg.World, role: ChosenDatabaseBroker.Role));
        var variables = GitHubEnvFile.Parse(await File.ReadAllTextAsync(githubEnv));
        await using var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(variables["SB_CONNECTION_STRING"]) { Pooling = false }.ToString());
        await session.OpenAsync();
        await using var current = new NpgsqlCommand("SELECT current_database()", session);
        var log = new GitHubRunnerLog();
        log.Add(leased.Stdout);
        log.Add(leased.Stderr);

        Assert.True(leased.ExitCode == 0, leased.Stderr);
        Assert.Equal(
            ["SB_CONNECTION_STRING", "SB_DATABASE", "SB_HOST", "SB_LEASE_EXPIRES_AT", "SB_LEASE_ID", "SB_PASSWORD", "SB_PORT", "SB_USERNAME"],
            variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(database, variables["SB_DATABASE"]);
        Assert.Equal(database, await current.ExecuteScalarAsync());
        Assert.EndsWith(variables["SB_LEASE_ID"], variables["SB_USERNAME"], StringComparison.Ordinal);
        Assert.Contains(database.Split('\n')[2], log.Masks);
        Assert.Contains("EVIL=1", log.Masks);
        var credentialLines = variables.Where(v => v.Key is not ("SB_LEASE_ID" or "SB_LEASE_EXPIRES_AT"))
            .SelectMany(v => v.Value.Split('\n')).Where(line => line.Length > 0);
        Assert.All(credentialLines, line => Assert.Equal("***", log.Mask(line)));
        Assert.DoesNotContain(variables["SB_PASSWORD"], log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_entry_has_a_fresh_random_delimiter_unlike_every_other_entrys_in_the_same_call_or_the_next()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        var githubEnv = folder.Sub("github-env");
        var job = CiJobShell.WithOidcToken(world, world.TokenFor()).Set(GitHubWorkflowCommands.EnvFileVariable, githubEnv);

        var first = await job.SbctlAsync(Lease(world, step: "deploy"));
        var second = await job.SbctlAsync(Lease(world, step: "migrate-db"));
        var text = await File.ReadAllTextAsync(githubEnv);
        var delimiters = HeredocOpening().Matches(text).Select(match => match.Groups["delimiter"].Value).ToList();
        var variables = GitHubEnvFile.Parse(text);
        using var runner = world.Runner();
        var replayOfSecond = await world.IssueAsync(runner, "migrate-db");

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal(8, delimiters.Count);
        Assert.Equal(8, delimiters.Distinct(StringComparer.Ordinal).Count());
        Assert.All(delimiters, delimiter => Assert.Matches(@"^ghadelimiter_[0-9a-f]{32}\z", delimiter));
        // A later entry for a name wins, as in the runner: the second lease is what later steps see.
        Assert.Equal(replayOfSecond.Lease.Id, variables["SB_LEASE_ID"]);
    }

    [Theory]
    [InlineData("\nEVIL=1")]
    [InlineData("value\nEVIL=1\n")]
    [InlineData("ghadelimiter_00000000000000000000000000000000\nEVIL=1")]
    [InlineData("EOF\nEVIL=1\nEOF")]
    [InlineData("SB_TOKEN<<ghadelimiter_0\nforged\nghadelimiter_0")]
    [InlineData("a\r\nEVIL=1\r\n")]
    [InlineData("")]
    [InlineData("=")]
    public void An_env_file_entry_reads_back_through_the_runners_parser_as_its_one_exact_value(string value)
    {
        var entry = GitHubWorkflowCommands.EnvFileEntry("SB_TOKEN", value);

        var variables = GitHubEnvFile.Parse("BEFORE=1\n" + entry + "AFTER=2\n");

        Assert.Equal(new Dictionary<string, string> { ["BEFORE"] = "1", ["SB_TOKEN"] = value, ["AFTER"] = "2" }, variables);
    }

    [Theory]
    [InlineData("one line")]
    [InlineData("first\nEVIL=1\nlast")]
    [InlineData("crlf\r\nlines\r\n")]
    [InlineData("100%0A literal %25 and % signs\nsecond")]
    public void The_mask_commands_for_a_value_stay_one_line_each_and_mask_the_value_and_each_of_its_lines(string value)
    {
        var commands = GitHubWorkflowCommands.AddMask(value).ToList();
        var log = new GitHubRunnerLog();
        log.Add(string.Join('\n', commands));

        Assert.All(commands, command => Assert.DoesNotContain('\n', command));
        Assert.All(commands, command => Assert.DoesNotContain('\r', command));
        Assert.Contains(value, log.Masks);
        var lines = value.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Equal("***", log.Mask(line)));
        Assert.Equal("", log.Text);
    }

    [Fact]
    public async Task Without_GITHUB_ENV_the_lease_is_refused_with_exit_2_before_the_broker_issues_anything()
    {
        await using var world = await LeasingBroker.StartAsync();

        var refused = await CiJobShell.WithOidcToken(world, world.TokenFor()).SbctlAsync(Lease(world));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: missing_github_env: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(0, LeaseRows.Count(world));
    }

    [Fact]
    public async Task A_GITHUB_ENV_that_cannot_be_written_fails_with_credential_unwritable_naming_the_issued_lease_and_the_masks_went_out_first()
    {
        await using var world = await LeasingBroker.StartAsync();
        // A full disk: every write to the file fails.
        var job = CiJobShell.WithOidcToken(world, world.TokenFor()).Set(GitHubWorkflowCommands.EnvFileVariable, "/dev/full");

        var failed = await job.SbctlAsync(Lease(world));
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy", "smoke");
        var log = new GitHubRunnerLog();
        log.Add(failed.Stdout);

        Assert.Equal(1, failed.ExitCode);
        var error = failed.SingleStderrLine();
        Assert.StartsWith("error: credential_unwritable: ", error, StringComparison.Ordinal);
        Assert.Contains($"lease '{issued.Lease.Id}' was issued", error, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Credential["token"], error, StringComparison.Ordinal);
        Assert.Contains(issued.Credential["token"], log.Masks);
        Assert.Equal("", log.Text);
    }

    [GeneratedRegex(@"^SB_[A-Z_]+<<(?<delimiter>.+)$", RegexOptions.Multiline)]
    private static partial Regex HeredocOpening();
}
