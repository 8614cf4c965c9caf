using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.Hooks;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>A CI platform's webhook may reach any node: the store, shared by all, ends the leases and settles replays.</summary>
public sealed class CompletionHooksAcrossNodesTests
{
    [Fact]
    public async Task A_workflow_run_delivered_to_one_node_revokes_a_lease_issued_on_another_and_its_redelivery_there_is_replayed()
    {
        await using var nodes = await NodeCluster.StartAsync(2, webhook: true);
        using var onA = nodes.Runner(0);
        using var issued = await LeasingBroker.LeaseAsync(onA, nodes.Ci.RunId, "deploy");
        var lease = (await issued.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
        using var clientB = nodes[1].Client();
        using var clientA = nodes[0].Client();
        var body = HookPayloads.WorkflowRun(nodes.Ci.Repository, nodes.Ci.RunId, conclusion: "timed_out");
        var delivery = HookSender.NewDelivery();

        using var toB = await new HookSender(clientB, nodes.Ci.WebhookSecret!).GitHubAsync("workflow_run", delivery, body);
        using var adminA = nodes.Admin(0);
        var seenOnA = await adminA.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{lease.Lease.Id}");
        using var introspected = await clientA.PostAsync(Routes.Introspect, new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = lease.Credential["token"] }));
        var activeOnA = (await introspected.Content.ReadFromJsonAsync<IntrospectionResponse>())!.Active;
        using var againToA = await new HookSender(clientA, nodes.Ci.WebhookSecret!).GitHubAsync("workflow_run", delivery, body);

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal(1, (await HookWorld.ReceiptAsync(toB, HttpStatusCode.OK, "completed")).Revoked);
        Assert.Equal("run_completed", seenOnA!.RevokeReason);
        Assert.Contains(seenOnA.State, new[] { "revoking", "revoked" });
        Assert.False(activeOnA);
        Assert.Equal(0, (await HookWorld.ReceiptAsync(againToA, HttpStatusCode.OK, "replayed")).Revoked);
    }
}
