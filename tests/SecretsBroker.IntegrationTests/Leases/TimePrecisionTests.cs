using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>
/// Times are answered at the precision they are stored (milliseconds): the answer to a write and a
/// later read of the same thing give the same strings, so a client comparing them sees no change.
/// </summary>
public sealed class TimePrecisionTests
{
    /// <summary>A clock between two milliseconds, as the system clock almost always is.</summary>
    private static readonly Instant BetweenMilliseconds = Instant.FromUtc(2026, 11, 1, 9, 0).PlusTicks(1_234_567);

    private static async Task<JsonElement> JsonOfAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static string[] Times(JsonElement lease) =>
        [lease.GetProperty("issuedAt").GetString()!, lease.GetProperty("expiresAt").GetString()!, lease.GetProperty("maxExpiresAt").GetString()!];

    [Fact]
    public async Task An_issued_lease_answers_the_same_times_as_a_later_read_of_it()
    {
        await using var world = await LeasingBroker.StartAsync(start: BetweenMilliseconds);
        using var runner = world.Runner();

        using var issued = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy");
        await issued.ShouldBeAsync(HttpStatusCode.Created);
        var answered = (await JsonOfAsync(issued)).GetProperty("lease");
        using var read = await runner.GetAsync($"{Routes.Leases}/{answered.GetProperty("id").GetString()}");

        Assert.Equal(Times(answered), Times(await JsonOfAsync(read)));
    }

    [Fact]
    public async Task A_renewed_lease_answers_the_same_times_as_a_later_read_of_it()
    {
        await using var world = await LeasingBroker.StartAsync(start: BetweenMilliseconds);
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");
        world.Broker.Clock.Advance(Duration.FromTicks(3_333_333));

        using var renewed = await runner.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(1200));
        await renewed.ShouldBeAsync(HttpStatusCode.OK);
        using var read = await runner.GetAsync($"{Routes.Leases}/{lease.Lease.Id}");

        Assert.Equal(Times((await JsonOfAsync(renewed)).GetProperty("lease")), Times(await JsonOfAsync(read)));
    }

    [Fact]
    public async Task A_break_glass_request_and_its_lease_answer_the_same_times_as_later_reads()
    {
        await using var world = await LeasingBroker.StartAsync(policyFor: BreakGlassWorld.Policy, start: BetweenMilliseconds);
        using var oncall = await world.OperatorAsync("oncall");

        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        await issued.ShouldBeAsync(HttpStatusCode.Created);
        var answered = await JsonOfAsync(issued);
        var request = answered.GetProperty("request");
        var lease = answered.GetProperty("lease").GetProperty("lease");
        using var readRequest = await oncall.GetAsync($"{Routes.BreakGlass}/{request.GetProperty("id").GetString()}");
        using var readLease = await oncall.GetAsync($"{Routes.Leases}/{lease.GetProperty("id").GetString()}");
        var stored = await JsonOfAsync(readRequest);

        Assert.Equal(request.GetProperty("requestedAt").GetString(), stored.GetProperty("requestedAt").GetString());
        Assert.Equal(request.GetProperty("approveBy").GetString(), stored.GetProperty("approveBy").GetString());
        Assert.Equal(Times(lease), Times(await JsonOfAsync(readLease)));
    }

    [Fact]
    public async Task A_created_token_answers_the_same_expiry_as_the_token_list()
    {
        await using var broker = await TestBroker.StartAsync(new TestBrokerOptions { Start = BetweenMilliseconds });
        using var admin = broker.Admin();

        using var created = await admin.PostAsync(Routes.Tokens, RequestBodies.Json(RequestBodies.Token("ci-deploy", "security")));
        await created.ShouldBeAsync(HttpStatusCode.Created);
        var answered = await JsonOfAsync(created);
        using var list = await admin.GetAsync(Routes.Tokens);
        var listed = (await JsonOfAsync(list)).GetProperty("tokens").EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == answered.GetProperty("id").GetString());

        Assert.Equal(answered.GetProperty("expiresAt").GetString(), listed.GetProperty("expiresAt").GetString());
    }
}
