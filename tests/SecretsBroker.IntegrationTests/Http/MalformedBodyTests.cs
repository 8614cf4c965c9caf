using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class MalformedBodyTests
{
    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"password":"hunter2"}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{type:"generic",fields:{"password":"hunter2"}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"password":"hunter2"},}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic","fields":{"password":'hunter2'}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", "// generic\n{\"type\":\"generic\",\"fields\":{\"password\":\"hunter2\"}}")]
    [InlineData("PUT", "/v1/secrets/orders-db", """{"type":"generic"} {"fields":{}}""")]
    [InlineData("PUT", "/v1/secrets/orders-db", "")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":["admin"]""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy","scopes":[admin]}""")]
    [InlineData("POST", "/v1/tokens", """{"name":"ci-deploy" "scopes":["admin"]}""")]
    [InlineData("POST", "/v1/tokens", "")]
    public async Task A_body_that_is_not_well_formed_json_is_refused_with_malformed_json(string method, string path, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.SendAsync(method, path, RequestBodies.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Theory]
    [InlineData("PUT", "/v1/secrets/orders-db", "type")]
    [InlineData("PUT", "/v1/secrets/orders-db", "password")]
    [InlineData("PUT", "/v1/secrets/orders-db", "hunter2")]
    [InlineData("POST", "/v1/tokens", "name")]
    [InlineData("POST", "/v1/tokens", "ci-deploy")]
    [InlineData("POST", "/v1/tokens", "admin")]
    public async Task A_body_that_is_not_valid_utf8_is_refused_with_malformed_json(string method, string path, string brokenWord)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var wellFormed = method == "PUT"
            ? """{"type":"generic","fields":{"password":"hunter2"}}"""
            : """{"name":"ci-deploy","scopes":["admin"]}""";
        // The same body with one byte that can never appear in UTF-8, in a field name or a value.
        var bytes = Encoding.UTF8.GetBytes(wellFormed);
        bytes[wellFormed.IndexOf(brokenWord, StringComparison.Ordinal) + 1] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await admin.SendAsync(method, path, content);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }
}
