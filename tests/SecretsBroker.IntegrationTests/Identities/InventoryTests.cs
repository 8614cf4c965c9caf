using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Identities;

/// <summary>The security team's view: every identity seen, and every lease, filtered and paged.</summary>
public sealed class InventoryTests
{
    private static async Task<string> LeaseAsync(HttpClient runner, string run, string step, string role = LeasingBroker.Role, bool expectRefused = false)
    {
        using var response = await LeasingBroker.LeaseAsync(runner, run, step, purpose: Guid.NewGuid().ToString("N"), role: role);
        if (expectRefused)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            return "";
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!.Lease.Id;
    }

    [Fact]
    public async Task Identities_are_listed_with_claims_live_lease_count_last_seen_and_whether_blocked()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        await LeaseAsync(runner, world.Ci.RunId, "deploy");
        await LeaseAsync(runner, world.Ci.RunId, "migrate-db");
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));

        var before = (await security.GetFromJsonAsync<IdentityPage>(Routes.Identities))!;
        using var revoke = await security.PostAsJsonAsync($"{Routes.Identities}/revoke",
            new RevokeIdentityRequest("github", null, $"repository={world.Ci.Repository}", "stolen", Block: true));
        var after = (await security.GetFromJsonAsync<IdentityPage>(Routes.Identities))!;

        var seen = Assert.Single(before.Identities);
        Assert.Equal("github", seen.Issuer);
        Assert.Equal($"repo:{world.Ci.Repository}:environment:production", seen.Subject);
        Assert.Equal(world.Ci.Repository, seen.Claims["repository"]);
        Assert.Equal(2, seen.LiveLeases);
        Assert.False(seen.Blocked);
        Assert.Equal(world.Broker.Clock.GetCurrentInstant().ToDateTimeOffset(), seen.LastSeen);
        Assert.Null(before.Next);
        var blocked = Assert.Single(after.Identities);
        Assert.Equal(0, blocked.LiveLeases);
        Assert.True(blocked.Blocked);
    }

    [Fact]
    public async Task Leases_are_listed_for_security_and_operators_with_identity_run_role_and_state_filters_and_paging()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        using var otherRun = world.Runner(run: "9001");
        var deploy = await LeaseAsync(runner, world.Ci.RunId, "deploy");
        var oneShot = await LeaseAsync(runner, world.Ci.RunId, "deploy", LeasingBroker.OneShotRole);
        var elsewhere = await LeaseAsync(otherRun, "9001", "deploy");
        using var admin = world.Broker.Admin();
        using var revoke = await admin.DeleteAsync($"{Routes.Leases}/{oneShot}");
        using var operatorClient = world.Broker.Client(await world.Broker.CreateTokenAsync("ops", "operator"));
        var subject = Uri.EscapeDataString($"repo:{world.Ci.Repository}:environment:production");

        var byIdentity = (await operatorClient.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?issuer=github&subject={subject}"))!;
        var byRun = (await operatorClient.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?run=9001"))!;
        var byRole = (await operatorClient.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?role={LeasingBroker.OneShotRole}"))!;
        var byState = (await operatorClient.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?state=active"))!;
        var firstPage = (await operatorClient.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?limit=2"))!;
        var secondPage = (await operatorClient.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?limit=2&after={firstPage.Next}"))!;
        using var workload = await runner.GetAsync(Routes.Leases);

        Assert.Equal(3, byIdentity.Leases.Count);
        Assert.Equal(elsewhere, Assert.Single(byRun.Leases).Lease.Id);
        Assert.Equal(oneShot, Assert.Single(byRole.Leases).Lease.Id);
        Assert.Equal(new[] { deploy, elsewhere }.Order(StringComparer.Ordinal), byState.Leases.Select(l => l.Lease.Id).Order(StringComparer.Ordinal));
        Assert.Equal(2, firstPage.Leases.Count);
        Assert.NotNull(firstPage.Next);
        Assert.Single(secondPage.Leases);
        Assert.Equal(3, firstPage.Leases.Concat(secondPage.Leases).Select(l => l.Lease.Id).Distinct().Count());
        Assert.NotEqual(HttpStatusCode.OK, workload.StatusCode);
    }

    [Fact]
    public async Task A_blocked_identity_still_trying_shows_in_last_seen_and_expired_leases_are_not_counted_live()
    {
        // The sweep waits a minute, so the expired lease is still active-but-expired when counted.
        await using var world = await LeasingBroker.StartAsync(new Dictionary<string, string?> { ["Leases:SweepIntervalMilliseconds"] = "60000" });
        using var runner = world.Runner();
        await LeaseAsync(runner, world.Ci.RunId, "deploy", LeasingBroker.OneShotRole);
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));
        world.Broker.Clock.Advance(NodaTime.Duration.FromMinutes(6));
        var expired = Assert.Single((await security.GetFromJsonAsync<IdentityPage>(Routes.Identities))!.Identities);
        using var block = await security.PostAsJsonAsync($"{Routes.Identities}/revoke",
            new RevokeIdentityRequest("github", $"repo:{world.Ci.Repository}:environment:production", null, "stolen", Block: true));
        block.EnsureSuccessStatusCode();
        world.Broker.Clock.Advance(NodaTime.Duration.FromMinutes(2));
        var refusedAt = world.Broker.Clock.GetCurrentInstant();
        using var later = world.Runner();
        await LeaseAsync(later, world.Ci.RunId, "deploy", expectRefused: true);

        var blocked = Assert.Single((await security.GetFromJsonAsync<IdentityPage>(Routes.Identities))!.Identities);

        Assert.Equal(0, expired.LiveLeases);
        Assert.Equal(refusedAt.ToDateTimeOffset(), blocked.LastSeen);
        Assert.True(blocked.Blocked);
    }

    [Fact]
    public async Task The_state_filter_means_what_readers_see_expired_included_and_an_unknown_state_is_an_invalid_query()
    {
        // The sweep waits a minute, so the expired lease is still only expired when listed.
        await using var world = await LeasingBroker.StartAsync(new Dictionary<string, string?> { ["Leases:SweepIntervalMilliseconds"] = "60000" });
        using var runner = world.Runner();
        var shortLived = await LeaseAsync(runner, world.Ci.RunId, "deploy", LeasingBroker.OneShotRole);
        world.Broker.Clock.Advance(NodaTime.Duration.FromMinutes(6));
        using var fresh = world.Runner();
        var live = await LeaseAsync(fresh, world.Ci.RunId, "deploy");
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));

        var active = (await security.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?state=active"))!;
        var expired = (await security.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?state=expired"))!;
        using var bogus = await security.GetAsync($"{Routes.Leases}?state=bogus");

        Assert.Equal(live, Assert.Single(active.Leases).Lease.Id);
        var dead = Assert.Single(expired.Leases);
        Assert.Equal(shortLived, dead.Lease.Id);
        Assert.Equal("expired", dead.Lease.State);
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.Equal("invalid_query", (await bogus.Content.ReadFromJsonAsync<SecretsBroker.Contracts.Errors.ProblemResponse>())!.Code);
    }
}
