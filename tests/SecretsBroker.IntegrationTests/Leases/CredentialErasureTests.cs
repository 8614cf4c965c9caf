using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>
/// The sealed credential kept for replays lives only while its lease does: looked at in the database
/// file itself, after each way a lease can end.
/// </summary>
public sealed class CredentialErasureTests
{
    private static long SealedCredentials(TestBroker broker, string leaseId)
    {
        using var raw = broker.OpenRawDatabase();
        using var count = raw.CreateCommand();
        count.CommandText = "SELECT count(*) FROM lease_credential WHERE lease_id = $id";
        count.Parameters.AddWithValue("$id", leaseId);
        return (long)count.ExecuteScalar()!;
    }

    private static async Task<IssuedLeaseResponse> LeaseWithKeyAsync(LeasingBroker world, HttpClient runner, string step, string key)
    {
        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, step, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
    }

    [Fact]
    public async Task A_live_lease_keeps_its_credential_sealed_never_in_the_clear()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy");

        using var raw = world.Broker.OpenRawDatabase();
        using var read = raw.CreateCommand();
        read.CommandText = "SELECT ciphertext FROM lease_credential WHERE lease_id = $id";
        read.Parameters.AddWithValue("$id", issued.Lease.Id);
        var stored = (string)read.ExecuteScalar()!;

        Assert.DoesNotContain(issued.Credential["token"], stored, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Credential["token"].Split('.')[1], stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_one_lease_erases_its_credential_in_the_same_call_and_a_retry_is_not_answered_with_it()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await LeaseWithKeyAsync(world, runner, "deploy", "job-7-deploy");
        var before = SealedCredentials(world.Broker, issued.Lease.Id);

        using var revoke = await runner.DeleteAsync($"{Routes.Leases}/{issued.Lease.Id}");
        var after = SealedCredentials(world.Broker, issued.Lease.Id);
        using var retry = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", idempotencyKey: "job-7-deploy");

        Assert.Equal((HttpStatusCode.OK, 1L, 0L), (revoke.StatusCode, before, after));
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal("lease_not_active", (await retry.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Fact]
    public async Task Completing_a_run_erases_the_credentials_of_that_run_only()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        using var otherRun = world.Runner(run: "77");
        var mine = await world.IssueAsync(runner, "deploy");
        var other = await world.IssueAsync(otherRun, "deploy", run: "77");

        using var complete = await runner.PostAsync($"{Routes.Runs}/{world.Ci.RunId}/complete", null);

        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(0, SealedCredentials(world.Broker, mine.Lease.Id));
        Assert.Equal(1, SealedCredentials(world.Broker, other.Lease.Id));
    }

    [Fact]
    public async Task A_revoked_identity_s_credentials_are_never_replayed_and_are_erased_by_the_clean_up()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await LeaseWithKeyAsync(world, runner, "deploy", "job-7-deploy");
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("security-team", "security"));

        using var revoke = await security.PostAsJsonAsync(
            $"{Routes.Identities}/revoke", new RevokeIdentityRequest("github", $"repo:{world.Ci.Repository}:environment:production", null, "stolen", Block: false));
        using var retry = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", idempotencyKey: "job-7-deploy");
        await world.Broker.Services.GetRequiredService<LeaseRevoker>().RunAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal(0, SealedCredentials(world.Broker, issued.Lease.Id));
    }

    [Fact]
    public async Task An_expired_lease_s_credential_is_erased_by_the_sweep()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy", role: LeasingBroker.OneShotRole);
        var before = SealedCredentials(world.Broker, issued.Lease.Id);

        world.Broker.Clock.Advance(Duration.FromMinutes(5));
        await world.Broker.Services.GetRequiredService<ExpirySweep>().RunAsync(CancellationToken.None);
        await world.Broker.Services.GetRequiredService<LeaseRevoker>().RunAsync(CancellationToken.None);

        Assert.Equal((1L, 0L), (before, SealedCredentials(world.Broker, issued.Lease.Id)));
    }
}
