using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Server.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>
/// The document describes the body each endpoint reads. The broker reads bodies itself (<c>JsonBody</c>,
/// <c>FormBody</c>), so these are checked against the endpoints' own handlers, not against a list.
/// </summary>
public sealed class RequestBodyTests
{
    [Fact]
    public async Task Every_endpoint_that_reads_a_json_body_describes_that_contract_with_its_fields_as_the_request_body()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var readers = JsonBodyReaders(broker);
        Assert.Contains("POST /v1/leases", readers.Keys);
        Assert.True(readers.Count >= 8, $"only {readers.Count} endpoints read a JSON body");
        foreach (var (operation, contract) in readers)
        {
            var (method, path) = PublishedDocument.Split(operation);
            var body = PublishedDocument.Operation(document, method, path)["requestBody"];
            Assert.True(body is not null, $"{operation} reads a {contract.Name} but describes no request body");
            Assert.Equal(true, (bool?)body["required"]);
            var content = body["content"]!.AsObject();
            Assert.Equal(["application/json"], content.Select(c => c.Key));
            Assert.Equal($"#/components/schemas/{contract.Name}", (string?)content["application/json"]!["schema"]!["$ref"]);

            var schema = Schema(document, contract.Name);
            var fields = BrokerJson.Strict.GetTypeInfo(contract).Properties.Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.Equal(fields, schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.Equal(false, (bool?)schema["additionalProperties"]);
        }
    }

    [Fact]
    public async Task The_lease_request_names_role_run_step_purpose_and_ttl_and_requires_all_but_the_ttl()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var reference = PublishedDocument.Operation(document, "POST", "/v1/leases")["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"];
        Assert.Equal("#/components/schemas/IssueLeaseRequest", (string?)reference);
        var lease = Schema(document, "IssueLeaseRequest");
        Assert.Equal(["purpose", "role", "run", "step", "ttlSeconds"], lease["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["purpose", "role", "run", "step"], lease["required"]!.AsArray().Select(r => (string)r!).Order(StringComparer.Ordinal));

        // Read strictly: a TTL sent as "60" is invalid_body, so the schema does not offer a string.
        Assert.Equal(["integer", "null"], lease["properties"]!["ttlSeconds"]!["type"]!.AsArray().Select(t => (string)t!).Order(StringComparer.Ordinal));
        Assert.Null(lease["properties"]!["ttlSeconds"]!["pattern"]);

        var revoke = Schema(document, "RevokeIdentityRequest");
        Assert.Equal(["block", "issuer", "reason", "selector", "subject"], revoke["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        var secret = Schema(document, "PutSecretRequest");
        Assert.Equal(["fields", "type"], secret["required"]!.AsArray().Select(r => (string)r!).Order(StringComparer.Ordinal));
        Assert.NotNull(secret["properties"]!["rotateEverySeconds"]);
    }

    [Fact]
    public async Task The_introspection_endpoint_describes_its_urlencoded_form_with_the_token_field()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var content = PublishedDocument.Operation(document, "POST", "/v1/introspect")["requestBody"]!["content"]!.AsObject();
        var form = Assert.Single(content);
        Assert.Equal(FormBody.ContentType, form.Key);
        var schema = form.Value!["schema"]!;
        Assert.Equal("object", (string?)schema["type"]);
        Assert.Equal("string", (string?)schema["properties"]!["token"]!["type"]);
        Assert.NotNull(schema["properties"]!["token_type_hint"]);
        Assert.Equal(["token"], schema["required"]!.AsArray().Select(r => (string)r!));
    }

    [Theory]
    [InlineData("/v1/hooks/github", "X-Hub-Signature-256")]
    [InlineData("/v1/hooks/gitlab", "X-Gitlab-Token")]
    public async Task A_webhook_describes_the_platforms_payload_as_a_json_object(string path, string proof)
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var body = PublishedDocument.Operation(document, "POST", path)["requestBody"]!;
        Assert.Contains(proof, (string?)body["description"], StringComparison.Ordinal);
        Assert.Equal("object", (string?)body["content"]!["application/json"]!["schema"]!["type"]);
    }

    [Fact]
    public async Task An_endpoint_that_reads_no_body_describes_none()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        foreach (var (method, path) in new[] { ("GET", "/v1/secrets"), ("POST", "/v1/backups"), ("POST", "/v1/break-glass/{id}/approve"), ("DELETE", "/v1/leases/{id}"), ("GET", "/healthz") })
        {
            Assert.Null(PublishedDocument.Operation(document, method, path)["requestBody"]);
        }
    }

    /// <summary>Each endpoint whose handler takes a <c>JsonBody&lt;T&gt;</c>, as <c>METHOD /path</c>, with its T.</summary>
    internal static Dictionary<string, Type> JsonBodyReaders(TestBroker broker)
    {
        var readers = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var endpoint in broker.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var contract = endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters()
                .Select(p => p.ParameterType)
                .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(JsonBody<>))
                ?.GetGenericArguments()[0];
            if (contract is null)
            {
                continue;
            }

            var path = PublishedDocument.Normalise("/" + endpoint.RoutePattern.RawText!.TrimStart('/'));
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                readers.Add($"{method} {path}", contract);
            }
        }

        return readers;
    }

    private static JsonObject Schema(JsonObject document, string name) => document["components"]!["schemas"]![name]!.AsObject();
}
