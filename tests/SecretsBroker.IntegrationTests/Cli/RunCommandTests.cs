using System.Text.Json;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary><c>sbctl run complete</c> as the last step of a CI run (or an operator cleaning up after one) uses it.</summary>
public sealed class RunCommandTests
{
    private static async Task<IssuedLeaseResponse> LeaseAsync(CiJobShell job, string run, string step, string purpose)
    {
        var leased = await job.SbctlAsync("lease", "--role", LeasingBroker.Role, "--run", run, "--step", step, "--purpose", purpose, "--format", "json");
        Assert.True(leased.ExitCode == 0, leased.Stderr);
        return JsonSerializer.Deserialize<IssuedLeaseResponse>(leased.Stdout, JsonSerializerOptions.Web)!;
    }

    [Fact]
    public async Task Run_complete_with_the_runs_oidc_token_revokes_every_lease_of_the_run_and_no_other_and_prints_the_count()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());
        var migrate = await LeaseAsync(job, world.Ci.RunId, "migrate-db", "schema");
        var deploy = await LeaseAsync(job, world.Ci.RunId, "deploy", "smoke");
        var otherRun = await LeaseAsync(CiJobShell.WithOidcToken(world, world.TokenFor(run: "77")), "77", "deploy", "smoke");

        var completed = await job.SbctlAsync("run", "complete", world.Ci.RunId);

        Assert.Equal(0, completed.ExitCode);
        Assert.Equal($"run {world.Ci.RunId} complete: 2 leases revoked", Assert.Single(completed.StdoutLines()));
        Assert.False((await world.IntrospectAsync(migrate.Credential["token"])).Active);
        Assert.False((await world.IntrospectAsync(deploy.Credential["token"])).Active);
        Assert.True((await world.IntrospectAsync(otherRun.Credential["token"])).Active);
    }

    [Fact]
    public async Task Run_complete_with_an_operator_token_and_issuer_github_revokes_the_runs_leases()
    {
        await using var world = await LeasingBroker.StartAsync();
        var lease = await LeaseAsync(CiJobShell.WithOidcToken(world, world.TokenFor()), world.Ci.RunId, "deploy", "smoke");
        var oncall = CiJobShell.Against(world).Set(CiJobShell.OperatorTokenVariable, await world.Broker.CreateTokenAsync("oncall", "operator"));

        var completed = await oncall.SbctlAsync("run", "complete", world.Ci.RunId, "--issuer", "github");

        Assert.Equal(0, completed.ExitCode);
        Assert.Equal($"run {world.Ci.RunId} complete: 1 lease revoked", Assert.Single(completed.StdoutLines()));
        Assert.False((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }

    [Fact]
    public async Task Run_complete_with_an_operator_token_but_no_issuer_exits_2_and_revokes_nothing()
    {
        await using var world = await LeasingBroker.StartAsync();
        var lease = await LeaseAsync(CiJobShell.WithOidcToken(world, world.TokenFor()), world.Ci.RunId, "deploy", "smoke");
        var oncall = CiJobShell.Against(world).Set(CiJobShell.OperatorTokenVariable, await world.Broker.CreateTokenAsync("oncall", "operator"));

        var refused = await oncall.SbctlAsync("run", "complete", world.Ci.RunId);

        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("error: missing_issuer: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.True((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }

    [Fact]
    public async Task Run_complete_with_another_runs_token_exits_1_with_run_mismatch_and_revokes_nothing()
    {
        await using var world = await LeasingBroker.StartAsync();
        var lease = await LeaseAsync(CiJobShell.WithOidcToken(world, world.TokenFor()), world.Ci.RunId, "deploy", "smoke");
        var strangersToken = world.TokenFor(run: "78");

        var refused = await CiJobShell.WithOidcToken(world, strangersToken).SbctlAsync("run", "complete", world.Ci.RunId);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: run_mismatch: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(strangersToken, refused.Stderr, StringComparison.Ordinal);
        Assert.True((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }
}
