using System.Net;
using System.Text.Json;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class BodyShapeTests
{
    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"password":"hunter2"},"ttl":3600}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"password":"hunter2"},"value":"hunter2"}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"kind":"generic","fields":{"password":"hunter2"}}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":["admin"],"expires":"tomorrow"}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scope":"admin"}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":["admin"],"ttl_seconds":3600}""")]
    public async Task An_unknown_top_level_field_is_refused_with_unknown_field(string method, string path, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path, RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unknown_field");
    }

    [Fact]
    public async Task An_unknown_field_with_a_long_non_ascii_name_is_refused_with_unknown_field()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        // The message cuts a long name at 64 UTF-16 units, here right inside a surrogate pair.
        var name = new string('é', 63) + "🔑🔑";
        var body = $$"""{"name":"ci-deploy","scopes":["admin"],"{{name}}":1}""";

        using var response = await admin.SendAsync("POST", "/v1/tokens", RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unknown_field");
    }

    [Theory]
    [InlineData("sslcert")]
    [InlineData("pass")]
    [InlineData("connection_string")]
    public async Task An_unknown_field_inside_a_postgresql_admin_secret_is_refused_with_unknown_field(string extraField)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var fields = BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue());
        fields[extraField] = "x";

        using var response = await admin.SendAsync("PUT", "/v1/secrets/orders-db", RequestBodies.Json(JsonSerializer.Serialize(new { type = "postgresql-admin", fields })));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unknown_field");
        Assert.Contains(extraField, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"fields":{"password":"hunter2"}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic"}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":null}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", "{}")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"postgresql-admin","fields":{"host":"db.internal","port":"5432","database":"orders","username":"admin"}}""")]
    [InlineData("POST", "/v1/tokens", """{"scopes":["admin"]}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy"}""")]
    [InlineData("POST", "/v1/tokens", """{"name":null,"scopes":["admin"]}""")]
    [InlineData("POST", "/v1/tokens", "{}")]
    public async Task A_missing_required_field_is_refused_with_missing_field(string method, string path, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path, RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "missing_field");
    }

    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":5,"fields":{"password":"hunter2"}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":["password","hunter2"]}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":"password=hunter2"}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"port":5432}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"password":{"value":"hunter2"}}}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":"admin"}""")]
    [InlineData("POST", "/v1/tokens", """{"name":["ci-deploy"],"scopes":["admin"]}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":[1]}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":["admin"],"ttlSeconds":"an hour"}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":["admin"],"ttlSeconds":1.5}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":["admin"],"ttlSeconds":1e40}""")]
    public async Task A_field_of_the_wrong_json_type_is_refused_with_invalid_body(string method, string path, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path, RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_body");
    }

    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", "[]")]
    [InlineData("PUT", "/v1/secrets/orders-db", """[{"type":"generic","fields":{"password":"hunter2"}}]""")]
    [InlineData("PUT", "/v1/secrets/orders-db", "\"generic\"")]
    [InlineData("PUT", "/v1/secrets/orders-db", "42")]
    [InlineData("PUT", "/v1/secrets/orders-db", "null")]
    [InlineData("POST", "/v1/tokens", "[]")]
    [InlineData("POST", "/v1/tokens", "true")]
    [InlineData("POST", "/v1/tokens", "null")]
    public async Task A_body_that_is_not_a_json_object_is_refused_with_invalid_body(string method, string path, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path, RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_body");
    }
}
