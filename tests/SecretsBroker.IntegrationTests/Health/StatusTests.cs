using System.Net.Http.Json;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.IntegrationTests.Policy;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Health;

public sealed class StatusTests
{
    [Fact]
    public async Task Status_names_the_calling_token_and_its_scopes()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        using var made = await admin.PostAsJsonAsync("/v1/tokens", new CreateTokenRequest("incident-response", ["security", "operator"], null));
        var created = (await made.Content.ReadFromJsonAsync<CreatedToken>())!;
        using var responder = broker.Client(created.Token);

        var status = await responder.GetFromJsonAsync<BrokerStatus>("/v1/status");

        Assert.Equal($"token:{created.Id}:incident-response", status!.Caller);
        Assert.Equal(["security", "operator"], status.Scopes);
        Assert.False(string.IsNullOrWhiteSpace(status.Version));
    }

    [Fact]
    public async Task Status_of_the_initial_admin_token_names_it_and_the_admin_scope()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        var status = await admin.GetFromJsonAsync<BrokerStatus>("/v1/status");

        Assert.Matches("^token:[A-Za-z0-9_-]+:admin-initial$", status!.Caller);
        Assert.Equal(["admin"], status.Scopes);
    }

    [Fact]
    public async Task Status_shows_this_nodes_id_and_the_sha256_of_the_policy_in_force_on_it()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        await using var broker = await TestBroker.StartAsync(new TestBrokerOptions { Settings = new Dictionary<string, string?> { ["Policy:File"] = policy.Path } });
        using var admin = broker.Admin();

        var status = await admin.GetFromJsonAsync<BrokerStatus>("/v1/status");

        var nodeId = File.ReadAllText(Path.Combine(broker.DataDirectory, "node-id")).Trim();
        Assert.Equal((nodeId, PolicyFolder.HashOf(PolicyFolder.ValidPolicy)), (status!.Node, status.PolicySha256));
    }

    [Fact]
    public async Task Status_of_a_node_without_a_policy_file_shows_no_policy_hash()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        var status = await admin.GetFromJsonAsync<BrokerStatus>("/v1/status");

        Assert.Null(status!.PolicySha256);
        Assert.Matches("^[0-9a-f]{32}$", status.Node);
    }
}
