using System.Net.Http.Json;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary>How every sbctl command fails: a non-zero exit and exactly one stderr line a script can match on.</summary>
public sealed class FailureReportingTests
{
    [Fact]
    public async Task A_broker_error_exits_1_with_one_stderr_line_carrying_the_problems_code()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "show", "missing");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = run.SingleStderrLine();
        Assert.StartsWith("error: secret_not_found: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(404)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_as_unauthenticated_without_the_token_in_stderr()
    {
        await using var broker = await TestBroker.StartAsync();
        var wrong = "sbt_" + Guid.NewGuid().ToString("N");

        var run = await broker.SbctlAsync(wrong, "secret", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("error: unauthenticated: ", run.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_whitespace_is_a_usage_error_that_does_not_print_the_token()
    {
        await using var broker = await TestBroker.StartAsync();
        var malformed = "sbt_" + Guid.NewGuid().ToString("N") + " extra";

        var run = await broker.SbctlAsync(broker.AdminToken, "--token", malformed, "secret", "list");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: invalid_token: ", run.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(malformed.Split(' ')[0], run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mistyped_token_option_is_a_usage_error_that_names_the_option_but_not_the_token()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(token: null, "--tokn", broker.AdminToken!, "status");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unrecognized option '--tokn'.", run.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(broker.AdminToken!, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_address_gives_one_stderr_line_and_a_non_zero_exit()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(broker.AdminToken, "--address", "http://127.0.0.1:1", "secret", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal("error: unreachable: cannot connect to http://127.0.0.1:1", run.SingleStderrLine());
    }

    [Theory]
    [InlineData("token", "create", "--scope", "security")]
    [InlineData("token", "create", "--name", "oncall")]
    [InlineData("secret", "put", "app-db", "--from-stdin")]
    public async Task A_missing_required_option_is_a_usage_error_with_exit_2_and_nothing_is_sent(params string[] args)
    {
        await using var broker = await TestBroker.StartAsync();
        var before = await AuditEventCountAsync(broker);

        var run = await broker.SbctlWithInputAsync(broker.AdminToken, """{"api_key": "k"}""", args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("error: usage: ", run.SingleStderrLine(), StringComparison.Ordinal);
        Assert.EndsWith($"See 'sbctl {args[0]} {args[1]} --help'.", run.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(before, await AuditEventCountAsync(broker));
        using var admin = broker.Admin();
        Assert.Single((await admin.GetFromJsonAsync<TokenList>("/v1/tokens"))!.Tokens);
    }

    private static async Task<int> AuditEventCountAsync(TestBroker broker)
    {
        using var admin = broker.Admin();
        return (await admin.GetFromJsonAsync<AuditPage>("/v1/audit?limit=1000"))!.Events.Count;
    }
}
