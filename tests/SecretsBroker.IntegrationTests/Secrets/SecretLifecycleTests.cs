using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Secrets;

public sealed class SecretLifecycleTests
{
    [Fact]
    public async Task Putting_a_secret_twice_creates_two_versions_and_never_returns_a_value()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var name = BrokerFakers.Name("app-db");
        var first = BrokerFakers.SecretValue();
        var second = BrokerFakers.SecretValue();

        using var created = await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(first)));
        using var replaced = await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(second)));
        var shown = await admin.GetStringAsync($"/v1/secrets/{name}");
        var listed = await admin.GetStringAsync("/v1/secrets");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var metadata = await replaced.Content.ReadFromJsonAsync<SecretMetadata>();
        Assert.Equal(2, metadata!.Version);
        Assert.Equal([1, 2], metadata.Versions.Select(v => v.Version));
        Assert.Equal(["database", "host", "password", "port", "username"], metadata.FieldNames);
        foreach (var answer in new[] { shown, listed, await created.Content.ReadAsStringAsync(), await replaced.Content.ReadAsStringAsync() })
        {
            Assert.DoesNotContain(first, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(second, answer, StringComparison.Ordinal);
        }
    }
}
