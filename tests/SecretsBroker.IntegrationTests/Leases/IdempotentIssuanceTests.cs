using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>CI HTTP clients retry on 5xx and timeouts: a retry must get the lease already issued, not a second credential.</summary>
public sealed class IdempotentIssuanceTests
{
    private static long LeaseRows(TestBroker broker)
    {
        using var raw = broker.OpenRawDatabase();
        using var count = raw.CreateCommand();
        count.CommandText = "SELECT count(*) FROM lease";
        return (long)count.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_gets_the_same_lease_and_credential()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        using var first = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", idempotencyKey: "job-7-deploy");
        world.Broker.Clock.Advance(Duration.FromMinutes(3));
        using var retry = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", idempotencyKey: "job-7-deploy");
        var a = (await first.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
        var b = (await retry.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        Assert.Equal(a.Lease.Id, b.Lease.Id);
        Assert.Equal(a.Credential["token"], b.Credential["token"]);
        Assert.True(b.Replayed);
        Assert.Equal(1, LeaseRows(world.Broker));
    }

    [Fact]
    public async Task The_same_binding_from_the_same_job_within_the_window_is_not_minted_twice_but_another_step_is()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        var first = await world.IssueAsync(runner, "deploy");
        var retry = await world.IssueAsync(runner, "deploy");
        var otherStep = await world.IssueAsync(runner, "migrate-db");
        world.Broker.Clock.Advance(Duration.FromSeconds(61));
        using var later = world.Runner();
        var afterWindow = await world.IssueAsync(later, "deploy");

        Assert.Equal(first.Lease.Id, retry.Lease.Id);
        Assert.True(retry.Replayed);
        Assert.NotEqual(first.Lease.Id, otherStep.Lease.Id);
        Assert.NotEqual(first.Lease.Id, afterWindow.Lease.Id);
        Assert.Equal(3, LeaseRows(world.Broker));
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_produce_one_lease()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", idempotencyKey: "same");
            return response.IsSuccessStatusCode
                ? ((await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!, (string?)null)
                : (null, (await response.Content.ReadFromJsonAsync<Contracts.Errors.ProblemResponse>())!.Code);
        }));
        using var settled = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", idempotencyKey: "same");
        var final = (await settled.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;

        var issued = answers.Where(a => a.Item1 is not null).Select(a => a.Item1!).ToList();
        Assert.NotEmpty(issued);
        Assert.All(issued, a => Assert.Equal(final.Lease.Id, a.Lease.Id));
        Assert.All(issued, a => Assert.Equal(final.Credential["token"], a.Credential["token"]));
        Assert.All(answers.Where(a => a.Item1 is null), a => Assert.Equal("request_in_progress", a.Item2));
        Assert.Equal(1, LeaseRows(world.Broker));
        SqliteConnection.ClearAllPools();
    }
}
