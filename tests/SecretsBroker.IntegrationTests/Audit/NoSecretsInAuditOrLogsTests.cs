using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Audit;

/// <summary>The trail and the logs say who did what to which thing, never with which value.</summary>
public sealed class NoSecretsInAuditOrLogsTests
{
    [Fact]
    public async Task Neither_the_audit_trail_nor_the_logs_hold_a_secret_value_or_a_token_value()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var name = BrokerFakers.Name("app-db");
        var password = BrokerFakers.SecretValue();
        var apiKey = BrokerFakers.SecretValue();
        var refusedValue = BrokerFakers.SecretValue();
        var unknownToken = "sbt_" + Guid.NewGuid().ToString("N");

        (await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(password)))).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/v1/secrets/{name}-api", new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = apiKey }))).EnsureSuccessStatusCode();
        using var createdResponse = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("auditor", ["security"], null));
        var created = (await createdResponse.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<CreatedToken>())!;
        using (var auditor = broker.Client(created.Token))
        {
            (await auditor.GetAsync("/v1/audit")).EnsureSuccessStatusCode();
            (await auditor.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = refusedValue }))).Dispose();
        }

        // Refused requests that carry a value: a field the type does not have, a body cut short, a token nobody issued.
        var withUnknownField = BrokerFakers.PostgresAdmin(refusedValue);
        withUnknownField["api_key"] = refusedValue;
        (await admin.PutAsJsonAsync($"/v1/secrets/{name}-bad", new PutSecretRequest("postgresql-admin", withUnknownField))).Dispose();
        using (var cutShort = new StringContent($"{{\"type\": \"generic\", \"fields\": {{\"key\": \"{refusedValue}\"", Encoding.UTF8, "application/json"))
        {
            (await admin.PutAsync($"/v1/secrets/{name}-bad", cutShort)).Dispose();
        }

        using (var stranger = broker.Client())
        {
            stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", unknownToken);
            (await stranger.GetAsync("/v1/secrets")).Dispose();
        }

        var trail = await admin.GetStringAsync("/v1/audit?limit=1000");
        using var parsed = JsonDocument.Parse(trail);
        var fields = string.Join('\n', Strings(parsed.RootElement));
        var logs = broker.Logs.All;

        // The trail and the logs are what this test thinks they are: they name the secret and the new token.
        Assert.Contains($"secret:{name}", trail, StringComparison.Ordinal);
        Assert.Contains($"secret:{name}", fields, StringComparison.Ordinal);
        Assert.Contains($"token:{created.Id}", trail, StringComparison.Ordinal);
        Assert.Contains("invalid_token", trail, StringComparison.Ordinal);
        Assert.Contains("unknown_field", trail, StringComparison.Ordinal);
        Assert.Contains("malformed_json", trail, StringComparison.Ordinal);
        Assert.Contains("Broker unsealed", logs, StringComparison.Ordinal);
        foreach (var value in new[] { password, apiKey, refusedValue })
        {
            // The GUID tail of a value survives JSON escaping of the rest of it.
            foreach (var text in new[] { value, value[^32..] })
            {
                Assert.DoesNotContain(text, trail, StringComparison.Ordinal);
                Assert.DoesNotContain(text, fields, StringComparison.Ordinal);
                Assert.DoesNotContain(text, logs, StringComparison.Ordinal);
            }
        }

        foreach (var token in new[] { created.Token, broker.AdminToken!, unknownToken })
        {
            Assert.DoesNotContain(token, trail, StringComparison.Ordinal);
            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        }
    }

    /// <summary>Every string in the answer, unescaped, so a value JSON would escape is still found.</summary>
    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.String => [element.GetString()!],
        _ => [],
    };
}
