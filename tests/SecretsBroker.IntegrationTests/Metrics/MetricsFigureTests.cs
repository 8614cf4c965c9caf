using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Policy;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>Each figure on <c>/metrics</c> after a scripted sequence against the real broker: what happened is what is counted.</summary>
public sealed class MetricsFigureTests
{
    /// <summary>The background sweep stays out of the way (first tick after a minute): the test sweeps when it means to.</summary>
    internal static readonly Dictionary<string, string?> QuietSweep = new() { ["Leases:SweepIntervalMilliseconds"] = "60000" };

    [Fact]
    public async Task Issues_replays_denials_renewals_and_the_unswept_expiry_are_counted_by_role_reason_and_provider()
    {
        await using var world = await LeasingBroker.StartAsync(QuietSweep);
        using var runner = world.Runner();
        var first = await world.IssueAsync(runner, "deploy");
        var again = await world.IssueAsync(runner, "deploy");
        Assert.True(again.Replayed);
        await world.IssueAsync(runner, "s1", role: LeasingBroker.OneShotRole);
        using (var forbiddenStep = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "not-allowed"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbiddenStep.StatusCode);
        }

        using (var unknownRole = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", role: "made-up-role-of-the-caller"))
        {
            Assert.False(unknownRole.IsSuccessStatusCode);
        }

        using (var renew = await runner.PostAsJsonAsync($"{Routes.Leases}/{first.Lease.Id}/renew", new RenewLeaseRequest(600)))
        {
            Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        }

        // The one-shot lease (5 min) is a minute past its expiry; the deploy lease (10 min) is still valid.
        world.Broker.Clock.Advance(Duration.FromMinutes(6));

        var scrape = await Scrape.OfAsync(world.Broker.Address);

        Assert.Equal(1, scrape.Value("secretsbroker_leases_issued_total", ("role", LeasingBroker.Role)));
        Assert.Equal(1, scrape.Value("secretsbroker_leases_issued_total", ("role", LeasingBroker.OneShotRole)));
        Assert.Equal(1, scrape.Value("secretsbroker_leases_replayed_total", ("role", LeasingBroker.Role)));
        Assert.Equal(1, scrape.Value("secretsbroker_leases_denied_total", ("role", LeasingBroker.Role), ("reason", "policy_denied")));
        Assert.Equal(1, scrape.All.Where(s => s.Name == "secretsbroker_leases_denied_total" && s.Labels["role"] == "other").Sum(s => s.Value));
        Assert.DoesNotContain("made-up-role-of-the-caller", scrape.Text, StringComparison.Ordinal);
        Assert.Equal(1, scrape.Value("secretsbroker_lease_renewals_total", ("role", LeasingBroker.Role)));
        Assert.Equal(2, scrape.Value("secretsbroker_lease_issue_duration_seconds_count", ("provider", "jwt")));
        Assert.Equal(2, scrape.Value("secretsbroker_leases", ("state", "active")));
        Assert.Equal(0, scrape.Value("secretsbroker_leases", ("state", "revoking")));
        Assert.Equal(60, scrape.Value("secretsbroker_sweep_lag_seconds"));
        Assert.Equal(0, scrape.Value("secretsbroker_leases_revoke_failed"));
        Assert.Equal(0, scrape.Value("secretsbroker_sealed"));
        var hash = world.Broker.Services.GetRequiredService<IPolicySource>().Current.Hash;
        Assert.Equal(1, scrape.Value("secretsbroker_policy_info", ("sha", hash)));
        Assert.True(scrape.Value("secretsbroker_audit_head_sequence") >= 6);
    }

    [Fact]
    public async Task Revocations_are_counted_by_cause_and_the_swept_broker_shows_no_lag()
    {
        await using var world = await LeasingBroker.StartAsync(QuietSweep);
        using var runner = world.Runner();
        await world.IssueAsync(runner, "deploy");
        await world.IssueAsync(runner, "s1", role: LeasingBroker.OneShotRole);
        world.Broker.Clock.Advance(Duration.FromMinutes(6));
        var lagging = await Scrape.OfAsync(world.Broker.Address);
        Assert.Equal(60, lagging.Value("secretsbroker_sweep_lag_seconds"));

        var jobs = world.Broker.Services.GetRequiredService<LeaseJobs>();
        await jobs.SweepAsync();

        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("security-team", "security"));
        using (var revoke = await security.PostAsJsonAsync(
            $"{Routes.Identities}/revoke", new RevokeIdentityRequest(world.Ci.Name, world.Ci.SubjectFor(world.Ci.Repository), null, "stolen", Block: false)))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var other = world.RunnerWithSubject("repo:other-subject:ref:refs/heads/main");
        var manual = await world.IssueAsync(other, "deploy");
        using (var delete = await other.DeleteAsync($"{Routes.Leases}/{manual.Lease.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        await world.IssueAsync(other, "migrate-db");
        using (var complete = await other.PostAsync($"{Routes.Runs}/{world.Ci.RunId}/complete", null))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        await jobs.SweepAsync();

        // Past the store-read cache of the first scrape.
        world.Broker.Clock.Advance(Duration.FromSeconds(10));
        var scrape = await Scrape.OfAsync(world.Broker.Address);

        Assert.Equal(1, scrape.Value("secretsbroker_lease_revocations_total", ("cause", "expiry")));
        Assert.Equal(1, scrape.Value("secretsbroker_lease_revocations_total", ("cause", "identity_revoke")));
        Assert.Equal(1, scrape.Value("secretsbroker_lease_revocations_total", ("cause", "manual")));
        Assert.Equal(1, scrape.Value("secretsbroker_lease_revocations_total", ("cause", "run_completion")));
        Assert.Equal(0, scrape.Value("secretsbroker_sweep_lag_seconds"));
        Assert.Equal(0, scrape.Value("secretsbroker_leases", ("state", "active")));
        Assert.Equal(0, scrape.Value("secretsbroker_leases", ("state", "revoking")));
        Assert.Equal(0, scrape.Value("secretsbroker_leases_revoke_failed"));
    }
}
