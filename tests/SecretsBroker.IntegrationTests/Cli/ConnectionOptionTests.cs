using SecretsBroker.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary>Where sbctl connects and which token it presents: flags win over the environment.</summary>
public sealed class ConnectionOptionTests
{
    [Fact]
    public async Task A_token_file_flag_overrides_a_wrong_token_in_the_environment()
    {
        await using var broker = await TestBroker.StartAsync();
        using var tokenFile = new TempFile(await broker.CreateTokenAsync("ops-from-file", "operator") + "\n");

        var run = await broker.SbctlAsync(WrongToken(), "status", "--token-file", tokenFile.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.EndsWith(":ops-from-file  scopes operator", Assert.Single(run.StdoutLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_flag_overrides_a_wrong_token_in_the_environment()
    {
        await using var broker = await TestBroker.StartAsync();
        var token = await broker.CreateTokenAsync("ops-from-flag", "operator");

        var run = await broker.SbctlAsync(WrongToken(), "--token", token, "status");

        Assert.Equal(0, run.ExitCode);
        Assert.EndsWith(":ops-from-flag  scopes operator", Assert.Single(run.StdoutLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_file_named_in_the_environment_is_used_when_no_token_is_given()
    {
        await using var broker = await TestBroker.StartAsync();
        using var tokenFile = new TempFile(await broker.CreateTokenAsync("ops-env-file", "operator"));

        var run = await RunWithEnvironmentAsync(
            new() { ["SECRETSBROKER_ADDR"] = broker.Address.ToString(), ["SECRETSBROKER_TOKEN_FILE"] = tokenFile.Path },
            "status");

        Assert.Equal(0, run.ExitCode);
        Assert.EndsWith(":ops-env-file  scopes operator", Assert.Single(run.StdoutLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_address_flag_overrides_a_dead_address_in_the_environment()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await RunWithEnvironmentAsync(
            new() { ["SECRETSBROKER_ADDR"] = "http://127.0.0.1:1", ["SECRETSBROKER_TOKEN"] = broker.AdminToken },
            "--address", broker.Address.ToString(), "secret", "list");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["no secrets"], run.StdoutLines());
    }

    [Fact]
    public async Task A_command_needing_a_token_without_any_token_is_a_usage_error()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(token: null, "secret", "list");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: missing_token: ", run.SingleStderrLine(), StringComparison.Ordinal);
    }

    private static string WrongToken() => "sbt_" + Guid.NewGuid().ToString("N");

    /// <summary>Runs sbctl with exactly this environment, for what the fixture's own environment cannot show.</summary>
    private static async Task<SbctlRun> RunWithEnvironmentAsync(Dictionary<string, string?> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Sbctl.RunAsync(args, stdout, stderr, TextReader.Null, name => environment.GetValueOrDefault(name));
        return new SbctlRun(exit, stdout.ToString(), stderr.ToString());
    }
}
