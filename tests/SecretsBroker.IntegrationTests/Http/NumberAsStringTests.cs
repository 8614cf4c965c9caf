using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>A number is a JSON number: the same digits in quotes are a wrong type, refused naming the field.</summary>
public sealed class NumberAsStringTests
{
    [Theory]
    [InlineData("\"60\"")]
    [InlineData("\"0x3c\"")]
    [InlineData("\"NaN\"")]
    public async Task A_lease_ttl_sent_as_a_string_is_refused_with_invalid_body_naming_the_field(string ttl)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var body = $$"""{"role":"{{LeasingBroker.Role}}","run":"{{world.Ci.RunId}}","step":"deploy","purpose":"smoke","ttlSeconds":{{ttl}}}""";

        using var response = await runner.PostAsync(Routes.Leases, RequestBodies.Json(body));

        await ShouldNameAsync(response, "$.ttlSeconds");
    }

    [Fact]
    public async Task A_renewal_ttl_sent_as_a_string_is_refused_with_invalid_body_naming_the_field()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");

        using var response = await runner.PostAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", RequestBodies.Json("""{"ttlSeconds":"600"}"""));

        await ShouldNameAsync(response, "$.ttlSeconds");
    }

    [Fact]
    public async Task A_break_glass_ttl_sent_as_a_string_is_refused_with_invalid_body_naming_the_field()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var body = $$"""{"role":"{{BreakGlassWorld.Solo}}","justification":"{{BreakGlassWorld.Justification}}","incident":"INC-4711","ttlSeconds":"600"}""";

        using var response = await oncall.PostAsync(Routes.BreakGlass, RequestBodies.Json(body));

        await ShouldNameAsync(response, "$.ttlSeconds");
    }

    [Fact]
    public async Task A_token_ttl_sent_as_a_string_is_refused_with_invalid_body_naming_the_field()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsync(Routes.Tokens, RequestBodies.Json("""{"name":"ci-deploy","scopes":["security"],"ttlSeconds":"3600"}"""));

        await ShouldNameAsync(response, "$.ttlSeconds");
    }

    [Fact]
    public async Task A_rotation_period_sent_as_a_string_is_refused_with_invalid_body_naming_the_field()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var body = """{"type":"generic","fields":{"password":"hunter2"},"rotateEverySeconds":"3600"}""";

        using var response = await admin.PutAsync($"{Routes.Secrets}/orders-db", RequestBodies.Json(body));

        await ShouldNameAsync(response, "$.rotateEverySeconds");
        Assert.Empty((await VaultState.ReadAsync(broker)).Secrets);
    }

    [Fact]
    public async Task A_lease_ttl_sent_as_a_number_is_still_taken()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        using var response = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "deploy", ttlSeconds: 60);

        await response.ShouldBeAsync(HttpStatusCode.Created);
        var lease = (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!.Lease;
        Assert.Equal(TimeSpan.FromSeconds(60), lease.ExpiresAt - lease.IssuedAt);
    }

    private static async Task ShouldNameAsync(HttpResponseMessage response, string path)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_body");
        Assert.Contains(path, problem.Detail ?? "", StringComparison.Ordinal);
    }
}
