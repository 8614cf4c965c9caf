using System.Net;
using System.Net.Http.Json;
using System.Text;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Core.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Audit;

/// <summary>A request the broker refuses changes nothing, and still leaves one event: denied (who may not) or rejected (what is wrong).</summary>
public sealed class RefusedRequestAuditTests
{
    [Fact]
    public async Task A_request_without_a_token_is_denied_and_audited_as_anonymous()
    {
        await using var broker = await TestBroker.StartAsync();
        using var anonymous = broker.Client();
        var name = BrokerFakers.Name("app-db");

        HttpStatusCode status = default;
        var denied = await AuditTrail.OnlyEventOfAsync(broker, async () => status = (await PutGenericAsync(anonymous, name)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        AssertRefused(denied, "anonymous", AuditDecision.Denied, "missing_token", "PUT /v1/secrets/{name}", $"/v1/secrets/{name}");
        await AssertNoSecretAsync(broker, name);
    }

    [Fact]
    public async Task A_request_with_an_unknown_token_is_denied_as_an_invalid_token()
    {
        await using var broker = await TestBroker.StartAsync();
        using var stranger = broker.Client("sbt_" + Guid.NewGuid().ToString("N"));
        var name = BrokerFakers.Name("app-db");

        HttpStatusCode status = default;
        var denied = await AuditTrail.OnlyEventOfAsync(broker, async () => status = (await PutGenericAsync(stranger, name)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        AssertRefused(denied, "anonymous", AuditDecision.Denied, "invalid_token", "PUT /v1/secrets/{name}", $"/v1/secrets/{name}");
        await AssertNoSecretAsync(broker, name);
    }

    [Fact]
    public async Task A_request_with_a_revoked_token_is_denied_as_an_invalid_token()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var token = await broker.CreateTokenAsync("ci-admin", "admin");
        var id = (await admin.GetFromJsonAsync<TokenList>("/v1/tokens"))!.Tokens.Single(t => t.Name == "ci-admin").Id;
        (await admin.DeleteAsync($"/v1/tokens/{id}")).EnsureSuccessStatusCode();

        using var client = broker.Client(token);
        HttpStatusCode status = default;
        var denied = await AuditTrail.OnlyEventOfAsync(broker, async () => status = (await client.GetAsync("/v1/secrets")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        AssertRefused(denied, "anonymous", AuditDecision.Denied, "invalid_token", "GET /v1/secrets/", "/v1/secrets");
    }

    [Fact]
    public async Task A_token_without_the_needed_scope_is_denied_as_insufficient_scope()
    {
        await using var broker = await TestBroker.StartAsync();
        using var auditor = broker.Client(await broker.CreateTokenAsync("auditor", "security"));
        var actor = await AuditTrail.ActorOfAsync(auditor);
        var name = BrokerFakers.Name("app-db");

        HttpStatusCode status = default;
        var denied = await AuditTrail.OnlyEventOfAsync(broker, async () => status = (await PutGenericAsync(auditor, name)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        AssertRefused(denied, actor, AuditDecision.Denied, "insufficient_scope", "PUT /v1/secrets/{name}", $"/v1/secrets/{name}");
        await AssertNoSecretAsync(broker, name);
    }

    [Theory]
    [InlineData("{\"type\": \"generic\", \"fields\": {\"key\": ", "malformed_json")]
    [InlineData("{\"type\": \"generic\", \"fields\": {\"key\": \"v\"}, \"owner\": \"me\"}", "unknown_field")]
    [InlineData("{\"type\": \"mainframe\", \"fields\": {\"key\": \"v\"}}", "unknown_secret_type")]
    [InlineData("{\"type\": \"postgresql-admin\", \"fields\": {\"password\": \"v\"}}", "missing_field")]
    public async Task A_request_with_bad_input_is_rejected_and_audited_with_its_error_code(string body, string code)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var actor = await AuditTrail.ActorOfAsync(admin);
        var name = BrokerFakers.Name("app-db");

        HttpStatusCode status = default;
        var rejected = await AuditTrail.OnlyEventOfAsync(broker, async () =>
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await admin.PutAsync($"/v1/secrets/{name}", content);
            status = response.StatusCode;
        });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertRefused(rejected, actor, AuditDecision.Rejected, code, "PUT /v1/secrets/{name}", $"/v1/secrets/{name}");
        await AssertNoSecretAsync(broker, name);
    }

    [Fact]
    public async Task Deleting_a_secret_that_does_not_exist_is_rejected_as_not_found()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var actor = await AuditTrail.ActorOfAsync(admin);
        var name = BrokerFakers.Name("app-db");

        HttpStatusCode status = default;
        var rejected = await AuditTrail.OnlyEventOfAsync(broker, async () => status = (await admin.DeleteAsync($"/v1/secrets/{name}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertRefused(rejected, actor, AuditDecision.Rejected, "secret_not_found", "DELETE /v1/secrets/{name}", $"/v1/secrets/{name}");
    }

    private static Task<HttpResponseMessage> PutGenericAsync(HttpClient client, string name) =>
        client.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = BrokerFakers.SecretValue() }));

    private static void AssertRefused(AuditEvent e, string actor, string decision, string reason, string action, string target)
    {
        Assert.Equal((actor, decision, reason, action, target), (e.Actor, e.Decision, e.Reason, e.Action, e.Target));
        Assert.False(string.IsNullOrEmpty(e.RequestId), "the event does not name its request");
    }

    private static async Task AssertNoSecretAsync(TestBroker broker, string name)
    {
        using var admin = broker.Admin();
        using var response = await admin.GetAsync($"/v1/secrets/{name}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
