using System.Text.Json;
using NodaTime;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

public sealed class TokenCommandTests
{
    [Fact]
    public async Task Token_create_prints_the_token_once_and_it_works_against_the_broker()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("oncall");

        var created = await broker.SbctlAsync(broker.AdminToken, "token", "create", "--name", name, "--scope", "security", "--ttl", "12h");

        Assert.Equal(0, created.ExitCode);
        var token = created.Field("token");
        Assert.StartsWith("sbt_", token, StringComparison.Ordinal);
        Assert.Single(created.StdoutLines(), line => line.Contains(token, StringComparison.Ordinal));
        Assert.Equal(name, created.Field("name"));
        Assert.Equal("security", created.Field("scopes"));
        var audit = await broker.SbctlAsync(token, "audit", "list");
        Assert.Equal(0, audit.ExitCode);
        Assert.Contains(audit.StdoutLines(), line => line.Contains("token.create", StringComparison.Ordinal)
            && line.Contains($"token:{created.Field("id")}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_create_with_ttl_12h_makes_a_token_that_stops_working_twelve_hours_later()
    {
        await using var broker = await TestBroker.StartAsync();

        var created = await broker.SbctlAsync(broker.AdminToken, "token", "create", "--name", BrokerFakers.Name("oncall"), "--scope", "security", "--ttl", "12h");
        var token = created.Field("token");

        Assert.Equal("2026-11-01T21:00:00Z", created.Field("expires"));
        broker.Clock.Advance(Duration.FromHours(12) - Duration.FromSeconds(1));
        Assert.Equal(0, (await broker.SbctlAsync(token, "audit", "list")).ExitCode);
        broker.Clock.Advance(Duration.FromSeconds(1));
        var expired = await broker.SbctlAsync(token, "audit", "list");
        Assert.Equal(1, expired.ExitCode);
        Assert.StartsWith("error: unauthenticated: ", expired.SingleStderrLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_security_token_made_with_token_create_cannot_manage_secrets()
    {
        await using var broker = await TestBroker.StartAsync();
        var created = await broker.SbctlAsync(broker.AdminToken, "token", "create", "--name", BrokerFakers.Name("auditor"), "--scope", "security");

        var run = await broker.SbctlAsync(created.Field("token"), "secret", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: insufficient_scope: ", run.SingleStderrLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_list_shows_every_token_but_never_a_token_value()
    {
        await using var broker = await TestBroker.StartAsync();
        var oncall = await broker.SbctlAsync(broker.AdminToken, "token", "create", "--name", "oncall", "--scope", "security");
        var deployer = await broker.SbctlAsync(broker.AdminToken, "token", "create", "--name", "deployer", "--scope", "operator", "--json");
        var deployerToken = JsonSerializer.Deserialize<CreatedToken>(deployer.Stdout, JsonSerializerOptions.Web)!;

        var list = await broker.SbctlAsync(broker.AdminToken, "token", "list");
        var listJson = await broker.SbctlAsync(broker.AdminToken, "token", "list", "--json");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(0, listJson.ExitCode);
        Assert.Equal(["oncall", "security"], list.Row(oncall.Field("id"))[1..3]);
        Assert.Equal(["deployer", "operator"], list.Row(deployerToken.Id)[1..3]);
        var listed = JsonSerializer.Deserialize<TokenList>(listJson.Stdout, JsonSerializerOptions.Web)!;
        Assert.Equal(["admin-initial", "deployer", "oncall"], listed.Tokens.Select(t => t.Name).Order());
        foreach (var output in new[] { list.Stdout, listJson.Stdout })
        {
            Assert.DoesNotContain(oncall.Field("token"), output, StringComparison.Ordinal);
            Assert.DoesNotContain(deployerToken.Token, output, StringComparison.Ordinal);
            Assert.DoesNotContain(broker.AdminToken!, output, StringComparison.Ordinal);
            Assert.DoesNotContain("sbt_", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Token_revoke_makes_the_broker_refuse_the_token_from_then_on()
    {
        await using var broker = await TestBroker.StartAsync();
        var created = await broker.SbctlAsync(broker.AdminToken, "token", "create", "--name", BrokerFakers.Name("leaver"), "--scope", "security");
        var (id, token) = (created.Field("id"), created.Field("token"));
        Assert.Equal(0, (await broker.SbctlAsync(token, "audit", "list")).ExitCode);

        var revoke = await broker.SbctlAsync(broker.AdminToken, "token", "revoke", id);

        Assert.Equal(0, revoke.ExitCode);
        Assert.Equal([$"token '{id}' revoked"], revoke.StdoutLines());
        var refused = await broker.SbctlAsync(token, "audit", "list");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("error: unauthenticated: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal("2026-11-01T09:00:00Z", (await broker.SbctlAsync(broker.AdminToken, "token", "list")).Row(id)[5]);
    }

    [Fact]
    public async Task Token_revoke_of_an_unknown_id_fails_with_token_not_found()
    {
        await using var broker = await TestBroker.StartAsync();

        var run = await broker.SbctlAsync(broker.AdminToken, "token", "revoke", "no-such-id");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: token_not_found: ", run.SingleStderrLine(), StringComparison.Ordinal);
    }
}
