using System.Text.Json;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_with_a_token_prints_ready_and_the_caller_with_its_scopes()
    {
        await using var broker = await TestBroker.StartAsync();
        var token = await broker.CreateTokenAsync("ops-status", "operator");

        var run = await broker.SbctlAsync(token, "status");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        var line = Assert.Single(run.StdoutLines());
        Assert.Matches(@"^ready  version \S+  caller token:[A-Za-z0-9_-]+:ops-status  scopes operator$", line);
    }

    [Fact]
    public async Task Status_without_a_token_prints_ready_and_no_caller()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(token: null, "status");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["ready"], run.StdoutLines());
    }

    [Fact]
    public async Task Status_json_parses_as_json_with_readiness_checks_and_the_caller()
    {
        await using var broker = await TestBroker.StartAsync();
        var token = await broker.CreateTokenAsync("ops-status-json", "operator", "security");

        var run = await broker.SbctlAsync(token, "status", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.Equal("ready", root.GetProperty("health").GetProperty("status").GetString());
        Assert.Equal("unsealed", root.GetProperty("health").GetProperty("checks").GetProperty("seal").GetString());
        Assert.EndsWith(":ops-status-json", root.GetProperty("broker").GetProperty("caller").GetString(), StringComparison.Ordinal);
        Assert.Equal(["operator", "security"], root.GetProperty("broker").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }
}
