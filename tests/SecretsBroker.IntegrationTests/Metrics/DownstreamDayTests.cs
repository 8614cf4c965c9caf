using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>
/// A day of PostgreSQL leases, on a cluster of its own that the test stops: issue, renew, deny, expire,
/// revoke a compromised identity while PostgreSQL is down, and recover. Each scrape shows what happened.
/// </summary>
public sealed class DownstreamDayTests
{
    private static readonly Dictionary<string, string?> Settings = new(MetricsFigureTests.QuietSweep)
    {
        ["Leases:FailuresBeforeAlert"] = "2",
        ["Leases:FirstRetrySeconds"] = "1",
    };

    [Fact]
    public async Task A_failing_downstream_revocation_is_counted_as_clean_up_failures_and_retries_and_shows_revoke_failed_until_it_succeeds()
    {
        using var cluster = PostgresCluster.Start();
        await using var pg = await PostgresBroker.StartAsync(cluster, Settings);
        var world = pg.World;
        var jobs = pg.Broker.Services.GetRequiredService<LeaseJobs>();
        using var runner = world.Runner();
        var deploy = await world.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        await world.IssueAsync(runner, "migrate", role: PostgresBroker.Role);
        using (var shortLived = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "smoke-test", role: PostgresBroker.Role, ttlSeconds: 60))
        {
            Assert.Equal(HttpStatusCode.Created, shortLived.StatusCode);
        }

        using (var renew = await runner.PostAsJsonAsync($"{Routes.Leases}/{deploy.Lease.Id}/renew", new RenewLeaseRequest(1200)))
        {
            Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        }

        using (var denied = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", role: "role-nobody-defined"))
        {
            Assert.False(denied.IsSuccessStatusCode);
        }

        pg.Broker.Clock.Advance(Duration.FromMinutes(2));
        await jobs.SweepAsync();

        cluster.StopServer();
        using var security = pg.Broker.Client(await pg.Broker.CreateTokenAsync("security-team", "security"));
        using (var revoke = await security.PostAsJsonAsync(
            $"{Routes.Identities}/revoke", new RevokeIdentityRequest(world.Ci.Name, world.Ci.SubjectFor(world.Ci.Repository), null, "token leaked", Block: false)))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        await jobs.SweepAsync();
        pg.Broker.Clock.Advance(Duration.FromSeconds(5));
        await jobs.SweepAsync();
        pg.Broker.Clock.Advance(Duration.FromSeconds(10));
        var outage = await Scrape.OfAsync(pg.Broker.Address);

        cluster.StartServer();
        pg.Broker.Clock.Advance(Duration.FromMinutes(1));
        await jobs.SweepAsync();
        pg.Broker.Clock.Advance(Duration.FromSeconds(10));
        var recovered = await Scrape.OfAsync(pg.Broker.Address);

        Assert.Equal(3, outage.Value("secretsbroker_leases_issued_total", ("role", PostgresBroker.Role)));
        Assert.Equal(3, outage.Value("secretsbroker_lease_issue_duration_seconds_count", ("provider", "postgresql")));
        Assert.Equal(1, outage.Value("secretsbroker_lease_renewals_total", ("role", PostgresBroker.Role)));
        Assert.Equal(1, outage.All.Where(s => s.Name == "secretsbroker_leases_denied_total" && s.Labels["role"] == BrokerMetricsOther).Sum(s => s.Value));
        Assert.Equal(1, outage.Value("secretsbroker_lease_revocations_total", ("cause", "expiry")));
        Assert.Equal(2, outage.Value("secretsbroker_lease_revocations_total", ("cause", "identity_revoke")));
        Assert.Equal(4, outage.Value("secretsbroker_downstream_cleanup_failures_total", ("provider", "postgresql")));
        Assert.Equal(2, outage.Value("secretsbroker_downstream_cleanup_retries_total", ("provider", "postgresql")));
        Assert.Equal(2, outage.Value("secretsbroker_leases_revoke_failed"));
        Assert.Equal(2, outage.Value("secretsbroker_leases", ("state", "revoke_failed")));
        Assert.Equal(0, outage.Value("secretsbroker_leases", ("state", "active")));

        Assert.Equal(4, recovered.Value("secretsbroker_downstream_cleanup_failures_total", ("provider", "postgresql")));
        Assert.Equal(4, recovered.Value("secretsbroker_downstream_cleanup_retries_total", ("provider", "postgresql")));
        Assert.Equal(0, recovered.Value("secretsbroker_leases_revoke_failed"));
        Assert.Equal(0, recovered.Value("secretsbroker_leases", ("state", "revoking")));
        await Postgres.PostgresLeaseTests.AssertGoneAsync(pg, deploy.Credential);
    }

    private const string BrokerMetricsOther = SecretsBroker.Server.Metrics.BrokerMetrics.OtherRole;
}
