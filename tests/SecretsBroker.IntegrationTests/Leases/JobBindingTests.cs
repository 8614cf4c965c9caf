using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>
/// A lease is bound to the job that leased it: another job of the same run is a stranger to it for
/// reading and renewing, and may only revoke it (a run's last step cleans up after the others).
/// </summary>
public sealed class JobBindingTests
{
    private const string OtherJob = "5002";

    [Fact]
    public async Task Another_job_of_the_same_run_cannot_read_or_renew_a_lease_and_gets_no_credential()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var jobA = world.Runner();
        var lease = await world.IssueAsync(jobA, "deploy");
        world.Broker.Clock.Advance(Duration.FromMinutes(5));
        using var jobB = world.Runner(job: OtherJob);

        using var read = await jobB.GetAsync($"{Routes.Leases}/{lease.Lease.Id}");
        using var renew = await jobB.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(3600));
        var renewBody = await renew.Content.ReadAsStringAsync();
        var seen = await jobA.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{lease.Lease.Id}");
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;

        Assert.Equal((HttpStatusCode.NotFound, "lease_not_found"), (read.StatusCode, (await read.Content.ReadFromJsonAsync<ProblemResponse>())!.Code));
        Assert.Equal(HttpStatusCode.NotFound, renew.StatusCode);
        Assert.Equal("lease_not_found", JsonSerializer.Deserialize<ProblemResponse>(renewBody, JsonSerializerOptions.Web)!.Code);
        Assert.DoesNotContain("credential", renewBody, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(lease.Lease.ExpiresAt, seen!.ExpiresAt);
        var denial = Assert.Single(trail.Events, e => e.Action == "lease.renew");
        Assert.Equal(("denied", "not_lease_owner"), (denial.Decision, denial.Reason));
    }

    [Fact]
    public async Task The_job_that_leased_it_still_reads_and_renews_it()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var jobA = world.Runner();
        var lease = await world.IssueAsync(jobA, "deploy");
        world.Broker.Clock.Advance(Duration.FromMinutes(5));
        using var fresh = world.Runner();

        using var read = await fresh.GetAsync($"{Routes.Leases}/{lease.Lease.Id}");
        using var renew = await fresh.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(3600));
        var renewed = await renew.Content.ReadFromJsonAsync<IssuedLeaseResponse>();

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        Assert.NotEmpty(renewed!.Credential["token"]);
        Assert.Equal(lease.Lease.MaxExpiresAt, renewed.Lease.ExpiresAt);
    }

    [Fact]
    public async Task Another_job_of_the_same_run_may_revoke_a_lease_but_a_job_of_another_run_may_not()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var jobA = world.Runner();
        var lease = await world.IssueAsync(jobA, "deploy");
        using var otherRun = world.Runner(run: "79", job: OtherJob);
        using var jobB = world.Runner(job: OtherJob);

        using var refused = await otherRun.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}");
        var activeAfterRefusal = (await world.IntrospectAsync(lease.Credential["token"])).Active;
        using var revoke = await jobB.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}");
        var revoked = await revoke.Content.ReadFromJsonAsync<LeaseInfo>();

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.True(activeAfterRefusal);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("revoked_by_caller", revoked!.RevokeReason);
        Assert.False((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }

    [Fact]
    public async Task An_operator_still_reads_and_revokes_any_job_s_lease_but_never_renews_one()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var jobA = world.Runner();
        var lease = await world.IssueAsync(jobA, "deploy");
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("secops", "security"));

        using var read = await security.GetAsync($"{Routes.Leases}/{lease.Lease.Id}");
        using var renew = await security.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(null));
        using var revoke = await security.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, renew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }
}
