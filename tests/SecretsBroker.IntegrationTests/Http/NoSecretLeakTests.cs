using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

public sealed class NoSecretLeakTests
{
    [Fact]
    public async Task No_secret_or_token_value_reaches_a_log_line_an_error_answer_or_the_audit_trail()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var stored = BrokerFakers.SecretValue();
        var rejected = BrokerFakers.SecretValue();
        var fields = BrokerFakers.PostgresAdmin(stored);
        var answers = new List<string>();

        async Task SendAsync(HttpClient client, string method, string path, HttpContent? content = null)
        {
            using var response = await client.SendAsync(method, path, content);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        // Values that were accepted: a secret written twice, tokens made, used, revoked and expired.
        await SendAsync(admin, "PUT", "/v1/secrets/orders-db", JsonContent.Create(new PutSecretRequest("postgresql-admin", fields)));
        await SendAsync(admin, "PUT", "/v1/secrets/orders-db", JsonContent.Create(new PutSecretRequest("postgresql-admin", fields)));
        using var made = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("ci-deploy", ["security"], 3600));
        var revoked = (await made.Content.ReadFromJsonAsync<CreatedToken>())!;
        var expired = await broker.CreateTokenAsync("short-lived", "security");
        var limited = await broker.CreateTokenAsync("limited", "operator");
        await SendAsync(broker.Client(revoked.Token), "GET", "/v1/audit");
        await SendAsync(admin, "DELETE", $"/v1/tokens/{revoked.Id}");
        await SendAsync(broker.Client(revoked.Token), "GET", "/v1/audit");
        await SendAsync(broker.Client(limited), "PUT", "/v1/secrets/orders-db", JsonContent.Create(new PutSecretRequest("generic", new Dictionary<string, string> { ["password"] = rejected })));
        await SendAsync(broker.Client(rejected), "GET", "/v1/secrets");
        await SendAsync(broker.Client("sbt_" + rejected), "GET", "/v1/secrets");

        // Values that were refused, each where a careless error message would echo it.
        string[] badBodies =
        [
            $$"""{"type":"generic","fields":{"password":"{{rejected}}"}""",
            $$"""{"type":"generic","fields":{"password":"{{rejected}}"},"value":"{{rejected}}"}""",
            $$$$"""{"type":"generic","fields":{"password":{"value":"{{{{rejected}}}}"}}}""",
            $$"""{"type":"generic","fields":["{{rejected}}"]}""",
            $$"""{"type":"generic","fields":"{{rejected}}"}""",
            $$$"""{"type":"{{{rejected}}}","fields":{"password":"{{{rejected}}}"}}""",
            $$$"""{"type":"generic","fields":{"Password":"{{{rejected}}}"}}""",
            $$"""{"type":"generic","fields":{"password":"{{rejected}}"},"type":5}""",
            $$"""["{{rejected}}"]""",
            $$""""{{rejected}}"""",
            JsonSerializer.Serialize(new { type = "postgresql-admin", fields = Change(fields, "port", rejected) }),
            JsonSerializer.Serialize(new { type = "postgresql-admin", fields = Change(fields, "sslcert", rejected) }),
            JsonSerializer.Serialize(new { type = "postgresql-admin", fields = Change(fields, "password", rejected + new string('x', 16 * 1024)) }),
            JsonSerializer.Serialize(new { type = "generic", fields = new Dictionary<string, string> { ["password"] = rejected + new string('x', 64 * 1024) } }),
        ];
        foreach (var body in badBodies)
        {
            await SendAsync(admin, "PUT", "/v1/secrets/orders-db", RequestBodies.Json(body));
            await SendAsync(admin, "PUT", "/v1/secrets/orders-db", RequestBodies.Chunked(body));
            await SendAsync(admin, "PUT", "/v1/secrets/orders-db", new StringContent(body));
        }

        string[] badTokenBodies =
        [
            $$"""{"name":"ci-deploy","scopes":["{{rejected}}"]}""",
            $$"""{"name":"ci-deploy","scopes":"{{rejected}}"}""",
            $$"""{"name":"ci-deploy","scopes":["admin"],"ttlSeconds":"{{rejected}}"}""",
            $$"""{"name":"ci-deploy","scopes":["admin"],"token":"{{rejected}}"}""",
            $$"""{"name":"ci-deploy","scopes":["admin"],"token":"{{rejected}}""",
        ];
        foreach (var body in badTokenBodies)
        {
            await SendAsync(admin, "POST", "/v1/tokens", RequestBodies.Json(body));
        }

        broker.Clock.Advance(Duration.FromDays(31));
        await SendAsync(broker.Client(expired), "GET", "/v1/audit");

        var audit = await admin.GetStringAsync("/v1/audit?limit=1000");
        Assert.True(answers.Count > 40);
        foreach (var value in new[] { stored, rejected, revoked.Token, expired, limited, broker.AdminToken! })
        {
            Assert.DoesNotContain(value, broker.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(value, audit, StringComparison.Ordinal);
            Assert.All(answers, answer => Assert.DoesNotContain(value, answer, StringComparison.Ordinal));
        }
    }

    private static Dictionary<string, string> Change(Dictionary<string, string> fields, string field, string value) =>
        new(fields) { [field] = value };
}
