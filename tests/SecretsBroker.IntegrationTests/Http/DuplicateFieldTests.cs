using System.Net;
using SecretsBroker.Contracts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>
/// A field given twice has no one meaning (parsers disagree on which wins), so it is refused at any
/// depth, naming the field and never a value.
/// </summary>
public sealed class DuplicateFieldTests
{
    [Theory]
    [InlineData("""{"name":"ci-deploy","name":"ci-admin","scopes":["security"]}""", "$.name")]
    [InlineData("""{"name":"ci-deploy","Name":"ci-admin","scopes":["security"]}""", "$.Name")]
    [InlineData("""{"name":"ci-deploy","scopes":["security"],"scopes":["admin"]}""", "$.scopes")]
    [InlineData("""{"name":"ci-deploy","scopes":["security"],"ttlSeconds":60,"ttlSeconds":null}""", "$.ttlSeconds")]
    public async Task A_token_body_with_a_field_given_twice_is_refused_with_duplicate_field(string body, string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var before = await VaultState.ReadAsync(broker);

        using var response = await admin.PostAsync(Routes.Tokens, RequestBodies.Json(body));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "duplicate_field");
        Assert.Contains(path, problem.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("ci-admin", problem.Detail ?? "", StringComparison.Ordinal);
        await before.ShouldBeUnchangedButForRejectionAsync(broker, "duplicate_field");
    }

    [Theory]
    [InlineData("""{"type":"generic","fields":{"password":"hunter2","password":"hunter3"}}""", "$.fields.password")]
    [InlineData("""{"type":"generic","type":"postgresql-admin","fields":{"password":"hunter2"}}""", "$.type")]
    [InlineData("""{"type":"generic","fields":{"password":"hunter2"},"fields":{"token":"hunter3"}}""", "$.fields")]
    public async Task A_secret_body_with_a_field_given_twice_at_any_depth_is_refused_with_duplicate_field(string body, string path)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PutAsync($"{Routes.Secrets}/orders-db", RequestBodies.Json(body));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "duplicate_field");
        Assert.Contains(path, problem.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("hunter", problem.Detail ?? "", StringComparison.Ordinal);
        Assert.Empty((await VaultState.ReadAsync(broker)).Secrets);
    }

    [Fact]
    public async Task A_lease_request_naming_its_role_twice_is_refused_with_duplicate_field()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var body = $$"""{"role":"{{LeasingBroker.OneShotRole}}","run":"{{world.Ci.RunId}}","step":"deploy","purpose":"smoke","role":"{{LeasingBroker.Role}}"}""";

        using var response = await runner.PostAsync(Routes.Leases, RequestBodies.Json(body));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "duplicate_field");
        Assert.Contains("$.role", problem.Detail ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objects_inside_a_list_are_checked_too()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        // scopes takes strings; the duplicate is still found before the wrong type is.
        using var response = await admin.PostAsync(Routes.Tokens, RequestBodies.Json("""{"name":"ci-deploy","scopes":[{"a":1,"a":2}]}"""));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "duplicate_field");
        Assert.Contains("$.scopes[0].a", problem.Detail ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_name_in_different_objects_is_not_a_duplicate()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PutAsync($"{Routes.Secrets}/orders-db", RequestBodies.Json("""{"type":"generic","fields":{"type":"generic","fields":"x"}}"""));

        await response.ShouldBeAsync(HttpStatusCode.Created);
    }
}
