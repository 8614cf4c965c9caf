using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_answers_ok_without_a_token()
    {
        await using var broker = await TestBroker.StartAsync();
        using var anonymous = broker.Client();

        using var response = await anonymous.GetAsync("/healthz");

        await response.ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal("ok", (await response.Content.ReadFromJsonAsync<HealthReport>())!.Status);
    }

    [Fact]
    public async Task Readyz_answers_ready_with_seal_database_and_migrations_checked_without_a_token()
    {
        await using var broker = await TestBroker.StartAsync();
        using var anonymous = broker.Client();

        using var response = await anonymous.GetAsync("/readyz");

        await response.ShouldBeAsync(HttpStatusCode.OK);
        var report = (await response.Content.ReadFromJsonAsync<HealthReport>())!;
        Assert.Equal("ready", report.Status);
        Assert.Equal(
            new Dictionary<string, string> { ["seal"] = "unsealed", ["database"] = "ok", ["migrations"] = "ok" },
            report.Checks);
    }

    [Fact]
    public async Task Health_answers_never_hold_the_master_key_a_token_or_a_secret_value()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var password = BrokerFakers.SecretValue();
        using var put = await admin.PutAsJsonAsync("/v1/secrets/orders-db", new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(password)));
        put.EnsureSuccessStatusCode();
        var token = await broker.CreateTokenAsync("ci-deploy", "security");
        var masterKey = (await File.ReadAllTextAsync(broker.MasterKeyPath)).Trim();
        Assert.NotEmpty(masterKey);

        var answers = new List<string>();
        foreach (var client in new[] { broker.Client(), broker.Client(token), admin })
        {
            answers.Add(await client.GetStringAsync("/healthz"));
            answers.Add(await client.GetStringAsync("/readyz"));
        }

        answers.Add(await broker.Client(token).GetStringAsync("/v1/status"));
        foreach (var answer in answers)
        {
            Assert.DoesNotContain(masterKey, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(broker.AdminToken!, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(token, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(password, answer, StringComparison.Ordinal);
        }
    }
}
