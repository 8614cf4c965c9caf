using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Policy;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>Every way a lease request is refused, each with its status and stable code, and each audited.</summary>
public sealed class LeaseRefusalTests
{
    private static async Task<ProblemResponse> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;

    [Fact]
    public async Task A_token_from_one_run_can_never_lease_for_another()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var otherRun = world.Runner(run: "77");

        using var response = await LeasingBroker.LeaseAsync(otherRun, world.Ci.RunId, "deploy");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("run_mismatch", (await ProblemAsync(response)).Code);
    }

    [Fact]
    public async Task A_repository_the_policy_does_not_name_is_denied_with_a_code_and_the_reason_goes_only_to_the_audit_trail()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var fork = world.Runner(repository: "evil/fork");

        using var response = await LeasingBroker.LeaseAsync(fork, world.Ci.RunId, "deploy");
        var problem = await ProblemAsync(response);
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("policy_denied", problem.Code);
        Assert.DoesNotContain("app-pipelines", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Ci.Repository, problem.Detail, StringComparison.Ordinal);
        var denial = Assert.Single(trail.Events, e => e.Action == "lease.issue" && e.Decision == "denied");
        Assert.StartsWith("policy_denied", denial.Reason, StringComparison.Ordinal);
        Assert.Contains($"run:{world.Ci.RunId}/step:deploy", denial.Target, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("build", "smoke", LeasingBroker.Role)]
    [InlineData("deploy", "smoke", "no-such-role")]
    public async Task A_step_or_role_the_policy_does_not_allow_is_denied(string step, string purpose, string role)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, step, purpose, role);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("policy_denied", (await ProblemAsync(response)).Code);
    }

    [Fact]
    public async Task Requests_without_a_valid_workload_token_are_refused_before_any_decision()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var anonymous = world.Broker.Client();
        using var expired = world.Broker.Client();
        expired.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", world.TokenFor(lifetime: Duration.FromMinutes(1)));
        world.Broker.Clock.Advance(Duration.FromMinutes(2));
        using var unsigned = world.Broker.Client();
        unsigned.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", world.Ci.MintUnsigned(world.Broker.Clock.GetCurrentInstant()));

        using var none = await LeasingBroker.LeaseAsync(anonymous, world.Ci.RunId, "deploy");
        using var stale = await LeasingBroker.LeaseAsync(expired, world.Ci.RunId, "deploy");
        using var algNone = await LeasingBroker.LeaseAsync(unsigned, world.Ci.RunId, "deploy");

        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (none.StatusCode, (await ProblemAsync(none)).Code));
        Assert.Equal((HttpStatusCode.Unauthorized, "workload_token_invalid"), (stale.StatusCode, (await ProblemAsync(stale)).Code));
        Assert.Equal((HttpStatusCode.Unauthorized, "workload_token_invalid"), (algNone.StatusCode, (await ProblemAsync(algNone)).Code));
        Assert.Equal("Bearer", stale.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task An_operator_token_cannot_lease_a_workload_credential()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var admin = world.Broker.Admin();

        using var response = await LeasingBroker.LeaseAsync(admin, world.Ci.RunId, "deploy");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Another_run_cannot_see_renew_or_revoke_a_lease_it_does_not_hold()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");
        using var stranger = world.Runner(run: "79");

        using var read = await stranger.GetAsync($"{Routes.Leases}/{lease.Lease.Id}");
        using var renew = await stranger.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(null));
        using var revoke = await stranger.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}");

        Assert.All(new[] { read, renew, revoke }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("lease_not_found", (await ProblemAsync(revoke)).Code);
        Assert.True((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }

    [Fact]
    public async Task A_non_renewable_lease_cannot_be_renewed()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy", role: LeasingBroker.OneShotRole);

        using var renew = await runner.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(null));

        Assert.Equal(HttpStatusCode.Conflict, renew.StatusCode);
        Assert.Equal("lease_not_renewable", (await ProblemAsync(renew)).Code);
    }

    [Fact]
    public async Task Renewal_is_decided_again_so_a_policy_that_no_longer_allows_the_lease_refuses_it()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");

        var stricter = LeasingBroker.PolicyFor("someone/else");
        await File.WriteAllTextAsync(world.PolicyPath + ".next", stricter);
        File.Move(world.PolicyPath + ".next", world.PolicyPath, overwrite: true);
        await WaitForPolicyAsync(world, PolicyParser.Hash(System.Text.Encoding.UTF8.GetBytes(stricter)));
        using var renew = await world.Runner().PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(null));

        Assert.Equal(HttpStatusCode.Forbidden, renew.StatusCode);
        Assert.Equal("policy_denied", (await ProblemAsync(renew)).Code);
    }

    [Theory]
    [InlineData("""{"role":"deploy-api","run":"1","step":"de ploy","purpose":"p"}""", "invalid_name")]
    [InlineData("""{"role":"deploy-api","run":"1","step":"deploy"}""", "missing_field")]
    [InlineData("""{"role":"deploy-api","run":"1","step":"deploy","purpose":"p","ttlSeconds":-5}""", "invalid_ttl")]
    [InlineData("""{"role":"deploy-api","run":"1","step":"deploy","purpose":"p","extra":1}""", "unknown_field")]
    public async Task Bad_lease_requests_are_refused_with_problem_json(string body, string code)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner(run: "1");

        using var response = await runner.PostAsync(Routes.Leases, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await ProblemAsync(response)).Code);
    }

    private static async Task WaitForPolicyAsync(LeasingBroker world, string hash)
    {
        var source = world.Broker.Services.GetRequiredService<IPolicySource>();
        for (var i = 0; i < 100 && source.Current.Hash != hash; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(hash, source.Current.Hash);
    }
}
