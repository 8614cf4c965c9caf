using System.Reflection;
using System.Text.Json.Nodes;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>What the document says about errors and tokens matches what the broker does.</summary>
public sealed class DocumentContentTests
{
    [Fact]
    public async Task The_document_is_OpenAPI_3_1()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        Assert.StartsWith("3.1.", (string)document["openapi"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_error_code_is_in_the_documents_error_code_enum()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        var listed = Schema(document, "ErrorCode")["enum"]!.AsArray().Select(n => (string)n!).ToList();

        Assert.Contains(ErrorCodes.LeaseNotFound, codes);
        Assert.Equal(codes.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_problem_schema_holds_its_code_to_the_error_code_enum_and_every_operation_answers_errors_with_it()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var problem = Schema(document, "ProblemResponse");
        Assert.Equal("#/components/schemas/ErrorCode", (string)problem["properties"]!["code"]!["$ref"]!);
        foreach (var name in new[] { "type", "title", "status", "detail", "traceId" })
        {
            Assert.NotNull(problem["properties"]![name]);
        }

        foreach (var operation in PublishedDocument.Operations(document))
        {
            var (method, path) = PublishedDocument.Split(operation);
            var error = PublishedDocument.Operation(document, method, path)["responses"]!["default"]!["content"]!["application/problem+json"]!;
            Assert.Equal("#/components/schemas/ProblemResponse", (string)error["schema"]!["$ref"]!);
        }
    }

    [Fact]
    public async Task Protected_operations_name_the_tokens_they_take_and_anonymous_ones_none()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("bearer", (string)schemes["brokerToken"]!["scheme"]!);
        Assert.Equal("bearer", (string)schemes["workloadToken"]!["scheme"]!);

        Assert.Equal(["brokerToken:admin", "personToken:admin"], Requirements(document, "GET", "/v1/secrets"));
        Assert.Equal(["workloadToken:"], Requirements(document, "POST", "/v1/leases"));
        Assert.Equal(
            ["brokerToken:security,operator", "personToken:security,operator", "workloadToken:"],
            Requirements(document, "POST", "/v1/runs/{run}/complete"));
        Assert.Equal(["brokerToken:security,operator", "personToken:security,operator"], Requirements(document, "GET", "/v1/leases"));

        foreach (var (method, path) in new[] { ("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/v1/introspect"), ("GET", "/.well-known/jwks.json"), ("POST", "/v1/hooks/github") })
        {
            Assert.Null(PublishedDocument.Operation(document, method, path)["security"]);
        }

        Assert.Null(document["security"]);
    }

    [Fact]
    public async Task Operations_describe_the_shapes_of_their_answers()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, document) = await PublishedDocument.FetchAsync(broker);

        var issue = PublishedDocument.Operation(document, "POST", "/v1/leases");
        Assert.Equal("#/components/schemas/IssuedLeaseResponse", (string)issue["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
        Assert.NotNull(Schema(document, "IssuedLeaseResponse")["properties"]!["lease"]);

        Assert.Equal("#/components/schemas/SecretList", (string)PublishedDocument.Operation(document, "GET", "/v1/secrets")["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
        Assert.NotNull(PublishedDocument.Operation(document, "DELETE", "/v1/tokens/{id}")["responses"]!["204"]);

        foreach (var operation in PublishedDocument.Operations(document))
        {
            var (method, path) = PublishedDocument.Split(operation);
            var answers = PublishedDocument.Operation(document, method, path)["responses"]!.AsObject();
            Assert.True(answers.Any(a => a.Key.StartsWith('2')), $"{operation} documents no success answer");
        }
    }

    private static JsonObject Schema(JsonObject document, string name) => document["components"]!["schemas"]![name]!.AsObject();

    /// <summary>Each alternative as <c>scheme:scope,scope</c>, sorted.</summary>
    private static List<string> Requirements(JsonObject document, string method, string path) =>
        PublishedDocument.Operation(document, method, path)["security"]!.AsArray()
            .SelectMany(r => r!.AsObject().Select(s => $"{s.Key}:{string.Join(',', s.Value!.AsArray().Select(v => (string)v!))}"))
            .Order(StringComparer.Ordinal)
            .ToList();
}
