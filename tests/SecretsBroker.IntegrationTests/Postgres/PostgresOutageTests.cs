using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>PostgreSQL going away mid-revocation, on a cluster of its own so that the shared one is never stopped.</summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task A_revocation_while_postgresql_is_down_stays_revoking_and_a_later_sweep_finishes_it()
    {
        using var cluster = PostgresCluster.Start();
        await using var pg = await PostgresBroker.StartAsync(cluster);
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        var jobs = pg.Broker.Services.GetRequiredService<LeaseJobs>();

        cluster.StopServer();
        using var revoke = await runner.DeleteAsync($"{Routes.Leases}/{issued.Lease.Id}");
        await jobs.SweepAsync();
        var duringOutage = await runner.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");

        cluster.StartServer();
        var roleSurvivedTheFailedAttempt = await cluster.RoleExistsAsync(issued.Credential["username"]);
        pg.Broker.Clock.Advance(Duration.FromSeconds(30));
        await jobs.SweepAsync();
        var afterRestart = await runner.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("revoking", duringOutage!.State);
        Assert.True(roleSurvivedTheFailedAttempt);
        Assert.Equal("revoked", afterRestart!.State);
        await PostgresLeaseTests.AssertGoneAsync(pg, issued.Credential);
    }
}
