using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class RejectedRequestTests
{
    private const string Existing = "/v1/secrets/orders-db";
    private const string Fresh = "/v1/secrets/payments-db";
    private const string Tokens = "/v1/tokens";
    private const string Json = "application/json";

    /// <summary>Every way to be refused for bad input: method, path, content type, body, chunked, status, code.</summary>
    public static TheoryData<string, string, string, string, bool, int, string> Rejections => new()
    {
        { "PUT", Existing, Json, """{"type":"generic","fields":{"password":"hunter2"}""", false, 400, "malformed_json" },
        { "PUT", Existing, Json, """{"type":"generic","fields":{"password":"hunter2"},"ttl":1}""", false, 400, "unknown_field" },
        { "PUT", Existing, Json, PostgresAdmin(("sslcert", "x")), false, 400, "unknown_field" },
        { "PUT", Existing, Json, """{"type":"generic"}""", false, 400, "missing_field" },
        { "PUT", Existing, Json, PostgresAdmin(("password", null)), false, 400, "missing_field" },
        { "PUT", Existing, Json, """{"type":"generic","fields":{"port":5432}}""", false, 400, "invalid_body" },
        { "PUT", Existing, Json, """[{"type":"generic","fields":{"password":"hunter2"}}]""", false, 400, "invalid_body" },
        { "PUT", Existing, Json, """{"type":"mysql-admin","fields":{"password":"hunter2"}}""", false, 400, "unknown_secret_type" },
        { "PUT", Existing, Json, PostgresAdmin(("port", "0")), false, 400, "invalid_field" },
        { "PUT", Existing, Json, """{"type":"generic","fields":{"Password":"hunter2"}}""", false, 400, "invalid_name" },
        { "PUT", Existing, Json, RequestBodies.GenericSecretOfSize((64 * 1024) + 1), false, 413, "body_too_large" },
        { "PUT", Existing, Json, RequestBodies.GenericSecretOfSize((64 * 1024) + 1), true, 413, "body_too_large" },
        { "PUT", Existing, "text/plain", """{"type":"generic","fields":{"password":"hunter2"}}""", false, 415, "unsupported_media_type" },
        { "PUT", Fresh, Json, """{"type":"generic","fields":{}}""", false, 400, "missing_field" },
        { "PUT", Fresh, Json, PostgresAdmin(("sslcert", "x")), false, 400, "unknown_field" },
        { "PUT", "/v1/secrets/Orders-DB", Json, """{"type":"generic","fields":{"password":"hunter2"}}""", false, 400, "invalid_name" },
        { "PUT", "/v1/secrets/..%2Forders-db", Json, """{"type":"generic","fields":{"password":"hunter2"}}""", false, 400, "invalid_name" },
        { "PUT", "/v1/secrets/" + new string('a', 64), Json, """{"type":"generic","fields":{"password":"hunter2"}}""", false, 400, "name_too_long" },
        { "DELETE", "/v1/secrets/Orders-DB", Json, "", false, 400, "invalid_name" },
        { "POST", Tokens, Json, """{"name":"ci-deploy","scopes":["admin"]""", false, 400, "malformed_json" },
        { "POST", Tokens, Json, """{"name":"ci-deploy","scopes":["admin"],"expires":"never"}""", false, 400, "unknown_field" },
        { "POST", Tokens, Json, """{"name":"ci-deploy"}""", false, 400, "missing_field" },
        { "POST", Tokens, Json, """{"name":"ci-deploy","scopes":"admin"}""", false, 400, "invalid_body" },
        { "POST", Tokens, Json, "null", false, 400, "invalid_body" },
        { "POST", Tokens, Json, """{"name":"CI Deploy","scopes":["admin"]}""", false, 400, "invalid_name" },
        { "POST", Tokens, Json, $$"""{"name":"{{new string('a', 64)}}","scopes":["admin"]}""", false, 400, "name_too_long" },
        { "POST", Tokens, Json, """{"name":"ci-deploy","scopes":["root"]}""", false, 400, "invalid_scope" },
        { "POST", Tokens, Json, """{"name":"ci-deploy","scopes":["admin"],"ttlSeconds":0}""", false, 400, "invalid_ttl" },
        { "POST", Tokens, Json, RequestBodies.TokenOfSize("ci-deploy", (64 * 1024) + 1), false, 413, "body_too_large" },
        { "POST", Tokens, Json, RequestBodies.TokenOfSize("ci-deploy", (64 * 1024) + 1), true, 413, "body_too_large" },
        { "POST", Tokens, "text/plain", """{"name":"ci-deploy","scopes":["admin"]}""", false, 415, "unsupported_media_type" },
        { "DELETE", "/v1/tokens/" + new string('a', 65), Json, "", false, 400, "invalid_name" },
        { "GET", "/v1/audit?limit=0", Json, "", false, 400, "invalid_query" },
        { "GET", "/v1/audit?after=abc", Json, "", false, 400, "invalid_query" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task A_rejected_request_leaves_secrets_and_tokens_as_they_were_and_audits_only_the_rejection(
        string method, string path, string contentType, string body, bool chunked, int status, string code)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        using var seeded = await admin.PutAsJsonAsync(Existing, new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue())));
        seeded.EnsureSuccessStatusCode();
        await broker.CreateTokenAsync("ci-reader", "security");
        var before = await VaultState.ReadAsync(broker);
        Assert.Single(before.Secrets);
        Assert.Equal(2, before.Tokens.Count);

        using var response = await admin.SendAsync(method, path, body.Length == 0 ? null : Content(contentType, body, chunked));

        await response.ShouldBeProblemAsync((HttpStatusCode)status, code);
        await before.ShouldBeUnchangedButForRejectionAsync(broker, code);
    }

    private static HttpContent Content(string contentType, string body, bool chunked) =>
        chunked ? RequestBodies.Chunked(body) : new StringContent(body, Encoding.UTF8, contentType);

    private static string PostgresAdmin((string Field, string? Value) change)
    {
        var fields = new Dictionary<string, string?>
        {
            ["host"] = "db.internal",
            ["port"] = "5432",
            ["database"] = "orders",
            ["username"] = "orders_admin",
            ["password"] = "hunter2",
        };
        if (change.Value is null)
        {
            fields.Remove(change.Field);
        }
        else
        {
            fields[change.Field] = change.Value;
        }

        return JsonSerializer.Serialize(new { type = "postgresql-admin", fields });
    }
}
