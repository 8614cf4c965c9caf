using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Health;
using SecretsBroker.TestSupport;
using Xunit.Abstractions;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// A node killed with SIGKILL in the middle of a burst of PostgreSQL leases: the other nodes go on
/// serving, settle the rows it left <c>issuing</c>, and leave PostgreSQL holding exactly the roles
/// of the live leases, each made and dropped at most once.
/// </summary>
public sealed class NodeKillTests(ITestOutputHelper output)
{
    private const int ClientsPerNode = 4;

    private const int KillAttempts = 5;

    /// <summary>The rows the dead node left are reclaimed by the next scheduled reconciliation (every minute) once 5 s old.</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_node_killed_mid_burst_leaves_no_lease_issuing_no_stray_role_and_no_role_dropped_twice()
    {
        var downstream = await DownstreamDatabase.CreateAsync();
        await using var nodes = await NodeCluster.StartAsync(3, downstream.PolicyFor, QuickJobs.Settings);
        await downstream.StoreAdminSecretAsync(nodes);
        var doomed = await NodeIdAsync(nodes, 0);
        var runners = Enumerable.Range(0, 3).Select(i => nodes.Runner(i)).ToList();
        var killedAt = new KillMark();
        using var stop = new CancellationTokenSource();
        var burst = (from node in Enumerable.Range(0, 3)
                     from client in Enumerable.Range(0, ClientsPerNode)
                     select Task.Run(() => BurstAsync(runners[node], node, client, nodes.Ci.RunId, killedAt, stop.Token))).ToList();

        // Killed while it is minting: a row it wrote ahead is in the store and not yet active. The row
        // seen issuing may still become active before the signal lands; then the node is started
        // again (same data folder, same node id) with clients of its own, and killed again.
        IReadOnlyList<LeaseRow> leftIssuing = [];
        await using (var watch = await nodes.OpenStoreAsync())
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            for (var attempt = 0; leftIssuing.Count == 0 && attempt < KillAttempts; attempt++)
            {
                if (attempt > 0)
                {
                    await nodes.StartNodeAsync(0);
                    runners.Add(nodes.Runner(0));
                    var restarted = runners[^1];
                    burst.AddRange(Enumerable.Range(0, ClientsPerNode).Select(client => Task.Run(() => BurstAsync(restarted, 0, client + (attempt * ClientsPerNode), nodes.Ci.RunId, killedAt, stop.Token))));
                }

                await WaitForIssuingAsync(watch, doomed);
                await nodes.KillAsync(0);
                killedAt.Mark();
                leftIssuing = [.. (await LeaseRow.AllAsync(watch)).Where(r => r.State == "issuing" && r.WriterNode == doomed)];
            }
        }

        // The survivors take the burst on for a while after the kill, then one more request each.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        var answers = (await Task.WhenAll(burst)).SelectMany(a => a).ToList();
        var after = await Task.WhenAll(new[] { 1, 2 }.Select(node => BurstAsync(runners[node], node, ClientsPerNode, nodes.Ci.RunId, killedAt, CancellationToken.None, once: true)));
        answers.AddRange(after.SelectMany(a => a));

        var settling = Stopwatch.StartNew();
        var rows = await LeaseRow.WhenAsync(nodes, r => r.All(l => l.State is "active" or "revoked"), SettleBound);
        output.WriteLine($"{answers.Count} requests, {rows.Count} leases, {leftIssuing.Count} left issuing by the killed node, settled after {settling.Elapsed.TotalSeconds:0} s");
        var roles = await downstream.RolesAsync(nodes.DownstreamPrefix);
        var ddl = await downstream.DdlByRoleAsync(nodes.DownstreamPrefix);
        runners.ForEach(r => r.Dispose());

        Assert.NotEmpty(leftIssuing);
        Assert.Contains(answers, a => a.Node == 0 && a.Failure is not null);
        var survivors = answers.Where(a => a.Node != 0).ToList();
        Assert.All(survivors, a => Assert.True(a.Status == HttpStatusCode.Created, $"node {a.Node}: {(int?)a.Status} {a.Failure}"));
        Assert.Contains(survivors, a => a.AfterKill);

        Assert.Empty(rows.Where(r => r.State == "issuing").Select(r => $"{r.Id} by {r.WriterNode}"));
        Assert.All(leftIssuing, left => Assert.Equal(("revoked", "reconciled_issuing"), rows.Where(r => r.Id == left.Id).Select(r => (r.State, r.RevokeReason)).Single()));
        var live = rows.Where(r => r.State == "active").Select(r => r.Handle).Order().ToList();
        Assert.Equal(live, roles.Order());
        Assert.All(ddl, role => Assert.True(role.Value is { Creates: <= 1, Drops: <= 1 }, $"{role.Key}: {role.Value.Creates} CREATE ROLE, {role.Value.Drops} DROP ROLE"));
    }

    private static async Task<string> NodeIdAsync(NodeCluster nodes, int index)
    {
        using var admin = nodes.Admin(index);
        return (await admin.GetFromJsonAsync<BrokerStatus>(Routes.Status))!.Node;
    }

    private static async Task WaitForIssuingAsync(Npgsql.NpgsqlConnection store, string node)
    {
        var waited = Stopwatch.StartNew();
        while (!(await LeaseRow.AllAsync(store)).Any(r => r.State == "issuing" && r.WriterNode == node))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"node {node} never had a lease issuing");
            }
        }
    }

    /// <summary>
    /// One CI client's requests to one node, one after another until <paramref name="stop"/>, each for
    /// its own purpose (so none is a reuse of another). A request the node never answers (it was
    /// killed) ends the client.
    /// </summary>
    private static async Task<List<Answer>> BurstAsync(HttpClient runner, int node, int client, string run, KillMark killedAt, CancellationToken stop, bool once = false)
    {
        var answers = new List<Answer>();
        for (var i = 0; !stop.IsCancellationRequested && (!once || i == 0); i++)
        {
            var afterKill = killedAt.IsSet;
            try
            {
                using var response = await LeasingBroker.LeaseAsync(runner, run, "deploy", $"burst-{node}-{client}-{i}{(once ? "-after" : "")}", DownstreamDatabase.Role);
                answers.Add(new Answer(node, response.StatusCode, afterKill, response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync()));
            }
            catch (HttpRequestException e)
            {
                answers.Add(new Answer(node, null, afterKill, e.Message));
                break;
            }
        }

        return answers;
    }

    private sealed record Answer(int Node, HttpStatusCode? Status, bool AfterKill, string? Failure);

    private sealed class KillMark
    {
        private volatile bool set;

        public bool IsSet => set;

        public void Mark() => set = true;
    }
}
