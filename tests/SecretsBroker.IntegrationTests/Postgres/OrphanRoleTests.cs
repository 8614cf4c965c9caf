using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Providers.Postgres;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>Roles with the broker's prefix that no live lease accounts for are found in the real server and dropped.</summary>
public sealed class OrphanRoleTests
{
    [Fact]
    public async Task A_broker_role_without_a_live_lease_is_dropped_and_audited_while_leased_and_other_brokers_roles_stay()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var leased = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        var prefix = pg.Broker.Services.GetRequiredService<PostgresCredentialProvider>().Prefix;
        var stray = prefix + LeaseId.New(NodaTime.SystemClock.Instance.GetCurrentInstant());
        var otherBroker = "sb_0badc0de_" + LeaseId.New(NodaTime.SystemClock.Instance.GetCurrentInstant());
        var foreign = "app_" + Guid.NewGuid().ToString("N")[..8];
        await pg.Cluster.ExecuteAsync("postgres", $"CREATE ROLE \"{stray}\" LOGIN PASSWORD 'left-behind'; CREATE ROLE \"{foreign}\" NOLOGIN; CREATE ROLE \"{otherBroker}\" NOLOGIN");

        await pg.Broker.Services.GetRequiredService<LeaseJobs>().SweepOrphansAsync();
        using var admin = pg.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;

        Assert.False(await pg.Cluster.RoleExistsAsync(stray));
        Assert.True(await pg.Cluster.RoleExistsAsync(leased.Credential["username"]));
        Assert.True(await pg.Cluster.RoleExistsAsync(foreign));
        Assert.True(await pg.Cluster.RoleExistsAsync(otherBroker));
        var removal = Assert.Single(trail.Events, e => e.Action == "downstream.orphan_removed");
        Assert.Equal($"postgresql:{PostgresBroker.AdminSecret}/{stray}", removal.Target);
    }
}
