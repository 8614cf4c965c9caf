using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>Real broker processes on their own loopback ports over one PostgreSQL store: any node serves any request.</summary>
public sealed class SeveralNodesTests
{
    [Fact]
    public async Task A_lease_issued_on_one_node_is_renewed_on_another_and_revoked_on_a_third()
    {
        await using var nodes = await NodeCluster.StartAsync(3);
        using var onA = nodes.Runner(0);
        using var onB = nodes.Runner(1);
        using var onC = nodes.Runner(2);

        using var issued = await LeasingBroker.LeaseAsync(onA, nodes.Ci.RunId, "deploy");
        var lease = (await issued.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!.Lease;
        using var renewed = await onB.PostAsJsonAsync($"{Routes.Leases}/{lease.Id}/renew", new RenewLeaseRequest(1200));
        using var revoked = await onC.DeleteAsync($"{Routes.Leases}/{lease.Id}");
        var seen = await onA.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{lease.Id}");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (issued.StatusCode, renewed.StatusCode));
        Assert.True(revoked.IsSuccessStatusCode, $"revoke on C: {(int)revoked.StatusCode}");
        Assert.Equal("revoked_by_caller", seen!.RevokeReason);
    }

    [Fact]
    public async Task A_run_completed_on_one_node_revokes_the_leases_the_other_nodes_issued()
    {
        await using var nodes = await NodeCluster.StartAsync(3);
        using var onA = nodes.Runner(0);
        using var onB = nodes.Runner(1);
        using var onC = nodes.Runner(2);
        using var fromA = await LeasingBroker.LeaseAsync(onA, nodes.Ci.RunId, "deploy");
        using var fromC = await LeasingBroker.LeaseAsync(onC, nodes.Ci.RunId, "migrate-db");
        var ids = new[] { fromA, fromC }.Select(r => r.Content.ReadFromJsonAsync<IssuedLeaseResponse>().Result!.Lease.Id).ToList();

        using var completed = await onB.PostAsync($"{Routes.Runs}/{nodes.Ci.RunId}/complete", null);
        var completion = await completed.Content.ReadFromJsonAsync<RunCompletion>();

        Assert.Equal(2, completion!.Revoked);
        foreach (var id in ids)
        {
            Assert.Equal("run_completed", (await onB.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{id}"))!.RevokeReason);
        }
    }

    [Fact]
    public async Task After_a_block_answers_on_one_node_the_other_nodes_refuse_that_identity_with_identity_blocked()
    {
        await using var nodes = await NodeCluster.StartAsync(3);
        using var onB = nodes.Runner(1);
        using var warm = await LeasingBroker.LeaseAsync(onB, nodes.Ci.RunId, "deploy");
        using var security = nodes[0].Client(await nodes.TokenAsync("security"));

        using var blocked = await security.PostAsJsonAsync($"{Routes.Identities}/revoke", new RevokeIdentityRequest("github", null, $"repository={nodes.Ci.Repository}", "token stolen", Block: true));
        using var onC = nodes.Runner(2);
        using var refusedB = await LeasingBroker.LeaseAsync(onB, nodes.Ci.RunId, "deploy", "again");
        using var refusedC = await LeasingBroker.LeaseAsync(onC, nodes.Ci.RunId, "deploy", "again");

        Assert.Equal(HttpStatusCode.Created, warm.StatusCode);
        Assert.True(blocked.IsSuccessStatusCode, $"block on A: {(int)blocked.StatusCode}");
        foreach (var refused in new[] { refusedB, refusedC })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("identity_blocked", (await refused.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        }
    }

    [Fact]
    public async Task Every_node_shows_its_own_id_and_policy_hash_and_backups_are_left_to_postgresql()
    {
        await using var nodes = await NodeCluster.StartAsync(2);
        using var adminA = nodes.Admin(0);
        using var adminB = nodes.Admin(1);

        var a = await adminA.GetFromJsonAsync<BrokerStatus>(Routes.Status);
        var b = await adminB.GetFromJsonAsync<BrokerStatus>(Routes.Status);
        using var backup = await adminB.PostAsync(Routes.Backups, null);

        Assert.NotEqual(a!.Node, b!.Node);
        Assert.Equal(a.PolicySha256, b.PolicySha256);
        Assert.NotNull(a.PolicySha256);
        Assert.Equal(HttpStatusCode.Conflict, backup.StatusCode);
        Assert.Equal("backup_not_supported", (await backup.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }
}
