using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Identities;

/// <summary>A stolen workload identity: revoked by subject or claim selector, blocked, unblocked, and its clean-up followed.</summary>
public sealed class CompromisedIdentityTests
{
    private static string SubjectOf(LeasingBroker world) => $"repo:{world.Ci.Repository}:environment:production";

    private static async Task<HttpClient> SecurityAsync(LeasingBroker world) =>
        world.Broker.Client(await world.Broker.CreateTokenAsync("security-team", "security"));

    /// <summary>A runner of the issuer's usual subject whose token names <paramref name="actor"/> (the person who started the job).</summary>
    private static HttpClient RunnerStartedBy(LeasingBroker world, string actor, string job)
    {
        var client = world.Broker.Client();
        var token = world.Ci.Mint(world.Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["actor"] = actor,
            ["run_id"] = world.Ci.RunId,
            ["check_run_id"] = job,
            ["repository"] = world.Ci.Repository,
        });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<IssuedLeaseResponse> LeaseAsync(HttpClient runner, LeasingBroker world, string step = "deploy")
    {
        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, step, purpose: Guid.NewGuid().ToString("N"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
    }

    private static async Task<IdentityRevocationResult> RevokeAsync(HttpClient security, RevokeIdentityRequest request)
    {
        using var response = await security.PostAsJsonAsync($"{Routes.Identities}/revoke", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<IdentityRevocationResult>())!;
    }

    private static async Task<string> StateOfAsync(LeasingBroker world, string leaseId)
    {
        using var admin = world.Broker.Admin();
        return (await admin.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{leaseId}"))!.State;
    }

    private static async Task<string> CodeOfAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code;

    [Fact]
    public async Task Revoking_by_subject_moves_every_live_lease_of_that_identity_to_revoking_and_leaves_other_identities_alone()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var stolen = world.Runner();
        using var other = world.RunnerWithSubject("repo:acme/other:environment:staging");
        var a = await LeaseAsync(stolen, world);
        var b = await LeaseAsync(stolen, world, "migrate-db");
        var untouched = await LeaseAsync(other, world);
        using var security = await SecurityAsync(world);

        var revocation = await RevokeAsync(security, new RevokeIdentityRequest("github", SubjectOf(world), null, "token leaked in build log", Block: false));

        Assert.Equal(2, revocation.Revoked);
        Assert.StartsWith("rev_", revocation.RevocationId, StringComparison.Ordinal);
        Assert.Equal("revoking", await StateOfAsync(world, a.Lease.Id));
        Assert.Equal("revoking", await StateOfAsync(world, b.Lease.Id));
        Assert.Equal("active", await StateOfAsync(world, untouched.Lease.Id));
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;
        var audited = Assert.Single(trail.Events, e => e.Action == "identity.revoke");
        Assert.Contains(revocation.RevocationId, audited.Target, StringComparison.Ordinal);
        Assert.Contains("2 leases", audited.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_by_claim_selector_ends_the_leases_of_every_identity_with_that_exact_claim()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var first = world.Runner();
        using var second = world.RunnerWithSubject($"repo:{world.Ci.Repository}:environment:staging");
        var a = await LeaseAsync(first, world);
        var b = await LeaseAsync(second, world);
        using var security = await SecurityAsync(world);

        var none = await RevokeAsync(security, new RevokeIdentityRequest("github", null, "repository=acme/not-this-one", "wrong repository", Block: false));
        var all = await RevokeAsync(security, new RevokeIdentityRequest("github", null, $"repository={world.Ci.Repository}", "repository compromised", Block: false));

        Assert.Equal(0, none.Revoked);
        Assert.Equal(2, all.Revoked);
        Assert.Equal("revoking", await StateOfAsync(world, a.Lease.Id));
        Assert.Equal("revoking", await StateOfAsync(world, b.Lease.Id));
    }

    [Fact]
    public async Task A_claim_selector_matches_the_claims_each_lease_was_issued_under_not_the_identitys_latest_token()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var byMallory = RunnerStartedBy(world, "mallory", "101");
        using var byAlice = RunnerStartedBy(world, "alice", "102");
        var mallorys = await LeaseAsync(byMallory, world);
        var alices = await LeaseAsync(byAlice, world);
        using var security = await SecurityAsync(world);

        var revoked = await RevokeAsync(security, new RevokeIdentityRequest("github", null, "actor=mallory", "mallory's account taken over", Block: false));

        Assert.Equal(1, revoked.Revoked);
        Assert.Equal("revoking", await StateOfAsync(world, mallorys.Lease.Id));
        Assert.Equal("active", await StateOfAsync(world, alices.Lease.Id));
    }

    [Fact]
    public async Task A_blocked_identity_is_refused_on_issue_and_renew_with_identity_blocked_as_soon_as_the_revoke_call_answers()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var held = await LeaseAsync(runner, world);
        using var security = await SecurityAsync(world);

        await RevokeAsync(security, new RevokeIdentityRequest("github", null, $"repository={world.Ci.Repository}", "stolen", Block: true));
        using var fresh = world.Runner();
        using var issue = await LeasingBroker.LeaseAsync(fresh, world.Ci.RunId, "deploy");
        using var renew = await fresh.PostAsJsonAsync($"{Routes.Leases}/{held.Lease.Id}/renew", new RenewLeaseRequest(600));

        Assert.Equal(HttpStatusCode.Forbidden, issue.StatusCode);
        Assert.Equal("identity_blocked", await CodeOfAsync(issue));
        Assert.Equal(HttpStatusCode.Forbidden, renew.StatusCode);
        Assert.Equal("identity_blocked", await CodeOfAsync(renew));
    }

    [Fact]
    public async Task Unblocking_lets_the_identity_lease_again_and_is_audited_and_unblocking_twice_is_not_found()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var security = await SecurityAsync(world);
        await RevokeAsync(security, new RevokeIdentityRequest("github", SubjectOf(world), null, "stolen", Block: true));
        using var runner = world.Runner();
        using var refused = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy");

        using var unblock = await security.PostAsJsonAsync($"{Routes.Identities}/unblock", new UnblockIdentityRequest("github", SubjectOf(world), null));
        using var again = await security.PostAsJsonAsync($"{Routes.Identities}/unblock", new UnblockIdentityRequest("github", SubjectOf(world), null));
        using var allowed = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy");

        Assert.Equal("identity_blocked", await CodeOfAsync(refused));
        Assert.Equal(HttpStatusCode.OK, unblock.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("block_not_found", await CodeOfAsync(again));
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;
        Assert.Single(trail.Events, e => e.Action == "identity.unblock" && e.Decision == "allowed");
    }

    [Fact]
    public async Task Revocation_progress_shows_pending_leases_until_the_downstream_clean_up_has_run()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        await LeaseAsync(runner, world);
        await LeaseAsync(runner, world, "migrate-db");
        await LeaseAsync(runner, world, "smoke");
        using var security = await SecurityAsync(world);
        var revocation = await RevokeAsync(security, new RevokeIdentityRequest("github", SubjectOf(world), null, "stolen", Block: false));

        var before = (await security.GetFromJsonAsync<RevocationStatus>($"{Routes.Revocations}/{revocation.RevocationId}"))!;
        await world.Broker.Services.GetRequiredService<LeaseRevoker>().RunAsync(CancellationToken.None);
        var after = (await security.GetFromJsonAsync<RevocationStatus>($"{Routes.Revocations}/{revocation.RevocationId}"))!;
        using var missing = await security.GetAsync($"{Routes.Revocations}/rev_nope");

        Assert.Equal((3L, 0L, 0L, 3L), (before.Total, before.Done, before.Failed, before.Pending));
        Assert.False(before.Finished);
        Assert.Equal((3L, 3L, 0L, 0L), (after.Total, after.Done, after.Failed, after.Pending));
        Assert.True(after.Finished);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Only_the_security_scope_may_revoke_or_unblock()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var operatorClient = world.Broker.Client(await world.Broker.CreateTokenAsync("ops", "operator"));
        using var runner = world.Runner();

        using var byOperator = await operatorClient.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest("github", SubjectOf(world), null, "x", true));
        using var byWorkload = await runner.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest("github", SubjectOf(world), null, "x", true));

        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, byWorkload.StatusCode);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("repo:x", "repository=x")]
    [InlineData(null, "repository")]
    [InlineData(null, "bad\"name=x")]
    public async Task A_target_that_is_neither_one_subject_nor_one_claim_selector_is_invalid(string? subject, string? selector)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var security = await SecurityAsync(world);

        using var response = await security.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest("github", subject, selector, "x", false));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_selector", await CodeOfAsync(response));
    }

    [Fact]
    public async Task An_issuer_the_broker_does_not_trust_is_refused_and_one_named_by_its_iss_url_is_the_configured_issuer()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var held = await LeaseAsync(runner, world);
        using var security = await SecurityAsync(world);

        using var unknown = await security.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest("gitlab", SubjectOf(world), null, "x", Block: true));
        var byUrl = await RevokeAsync(security, new RevokeIdentityRequest(world.Ci.Issuer, SubjectOf(world), null, "stolen", Block: false));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("unknown_issuer", await CodeOfAsync(unknown));
        Assert.Equal(1, byUrl.Revoked);
        Assert.Equal("revoking", await StateOfAsync(world, held.Lease.Id));
    }

    [Fact]
    public async Task The_steps_of_one_job_share_one_claim_set_and_sets_no_live_lease_uses_are_pruned()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var deploy = await LeaseAsync(runner, world);
        var migrate = await LeaseAsync(runner, world, "migrate-db");
        using var otherJob = RunnerStartedBy(world, "alice", "202");
        var other = await LeaseAsync(otherJob, world);
        var jobs = world.Broker.Services.GetRequiredService<SecretsBroker.Server.Jobs.LeaseJobs>();
        using var admin = world.Broker.Admin();

        var stored = await ClaimSetsAsync(world);
        foreach (var id in new[] { deploy.Lease.Id, migrate.Lease.Id })
        {
            using var revoked = await admin.DeleteAsync($"{Routes.Leases}/{id}");
            revoked.EnsureSuccessStatusCode();
        }

        await jobs.ReconcileAsync();
        var afterPrune = await ClaimSetsAsync(world);
        using var security = await SecurityAsync(world);
        var revocation = await RevokeAsync(security, new RevokeIdentityRequest("github", null, "actor=alice", "x", Block: false));

        Assert.Equal(2, stored);
        Assert.Equal(1, afterPrune);
        Assert.Equal(1, revocation.Revoked);
        Assert.Equal("revoking", await StateOfAsync(world, other.Lease.Id));
    }

    private static async Task<long> ClaimSetsAsync(LeasingBroker world)
    {
        using var db = world.Broker.OpenRawDatabase();
        return await db.ExecuteScalarAsync<long>("SELECT count(*) FROM workload_claims");
    }

    [Fact]
    public async Task A_compromised_operators_break_glass_leases_are_revoked_by_their_holder_but_operators_are_not_blocked_here()
    {
        // The background sweep stays out of the way, so the revoked lease is still found in revoking.
        await using var world = await BreakGlass.BreakGlassWorld.StartAsync(Metrics.MetricsFigureTests.QuietSweep);
        using var oncall = await BreakGlass.BreakGlassWorld.OperatorAsync(world, "oncall");
        using var issued = await BreakGlass.BreakGlassWorld.BreakGlassAsync(oncall, BreakGlass.BreakGlassWorld.Solo);
        var lease = (await BreakGlass.BreakGlassWorld.ReadAsync(issued)).Lease!.Lease;
        using var admin = world.Broker.Admin();
        var holder = (await admin.GetFromJsonAsync<LeasePage>($"{Routes.Leases}?breakGlass=true"))!.Leases.Single().Subject;
        using var security = await SecurityAsync(world);

        var revoked = await RevokeAsync(security, new RevokeIdentityRequest("operator", holder, null, "laptop stolen", Block: false));
        using var block = await security.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest("operator", holder, null, "laptop stolen", Block: true));

        Assert.Equal(1, revoked.Revoked);
        Assert.Equal("revoking", await StateOfAsync(world, lease.Id));
        Assert.Equal(HttpStatusCode.BadRequest, block.StatusCode);
        Assert.Equal("invalid_selector", await CodeOfAsync(block));
    }
}
