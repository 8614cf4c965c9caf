using System.Net.Http.Json;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// Expiry is the store's work, not the issuing node's: leases a node issued and then went down with
/// are swept by the nodes left, revoked as expired, and their PostgreSQL roles dropped.
/// </summary>
public sealed class ExpiryWithNodeDownTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Long enough for every lease to be issued and the node killed before the first expires.</summary>
    private const int TtlSeconds = 30;

    /// <summary>A generous bound after the last expiry for a sweep every 200 ms (and a sweep lock the killed node may have held, freed after 30 s).</summary>
    private static readonly TimeSpan SweepBound = TimeSpan.FromSeconds(TtlSeconds + 60);

    [Fact]
    public async Task Leases_expiring_while_a_node_is_down_are_revoked_as_expired_and_their_roles_dropped_by_the_other_nodes()
    {
        var downstream = await DownstreamDatabase.CreateAsync();
        await using var nodes = await NodeCluster.StartAsync(3, downstream.PolicyFor, QuickJobs.Settings);
        await downstream.StoreAdminSecretAsync(nodes);
        var issued = new List<LeaseInfo>();
        foreach (var node in Enumerable.Range(0, 3))
        {
            using var runner = nodes.Runner(node);
            foreach (var purpose in new[] { "smoke", "load" })
            {
                using var response = await LeasingBroker.LeaseAsync(runner, nodes.Ci.RunId, "deploy", $"{purpose}-on-{node}", DownstreamDatabase.Role, TtlSeconds);
                response.EnsureSuccessStatusCode();
                issued.Add((await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!.Lease);
            }
        }

        var rolesBefore = await downstream.RolesAsync(nodes.DownstreamPrefix);

        // Killed in the middle of an expiry sweep, the moment the other nodes must not depend on it.
        bool diedMidSweep;
        await using (var watch = await nodes.OpenStoreAsync())
        {
            var pid = nodes[1].Id;
            await SweepWatch.FreezeMidSweepAsync(watch, nodes.Store.JobSchema, pid);
            await nodes.KillAsync(1);
            diedMidSweep = await SweepWatch.RunningOnAsync(watch, nodes.Store.JobSchema, pid) > 0;
        }

        var killedBeforeExpiry = DateTimeOffset.UtcNow < issued.Min(l => l.ExpiresAt);

        var ids = issued.Select(l => l.Id).ToHashSet();
        var rows = await LeaseRow.WhenAsync(nodes, r => r.Where(l => ids.Contains(l.Id)).All(l => l.State == "revoked"), SweepBound);
        if (!rows.Where(l => ids.Contains(l.Id)).All(l => l.State == "revoked"))
        {
            await ReportJobsAsync(nodes);
        }

        var roles = await downstream.RolesAsync(nodes.DownstreamPrefix);
        var ddl = await downstream.DdlByRoleAsync(nodes.DownstreamPrefix);

        Assert.True(killedBeforeExpiry, "the node went down only after a lease had expired");
        Assert.True(diedMidSweep, "the node finished its sweep before it was killed");
        Assert.Equal(issued.Count, rolesBefore.Count);
        Assert.All(issued, lease => Assert.Equal((lease.Id, "revoked", "expired"), rows.Where(r => r.Id == lease.Id).Select(r => (r.Id, r.State, r.RevokeReason)).Single()));
        Assert.Empty(roles);
        Assert.All(rolesBefore, role => Assert.Equal((1, 1), ddl.GetValueOrDefault(role)));
    }

    /// <summary>What a sweep that never came leaves to look at: the sweep jobs' states, the job locks, and what the nodes left complained of.</summary>
    private async Task ReportJobsAsync(NodeCluster nodes)
    {
        var js = nodes.Store.JobSchema;
        output.WriteLine("sweep jobs: " + string.Join(", ", await nodes.QueryAsync<string>($"SELECT statename || '=' || count(*) FROM {js}.job WHERE invocationdata::jsonb ->> 'Method' = 'SweepAsync' GROUP BY statename")));
        output.WriteLine("job locks: " + string.Join(", ", await nodes.QueryAsync<string>($"SELECT resource || ' since ' || acquired::text FROM {js}.lock")));
        foreach (var node in new[] { 0, 2 })
        {
            var complaints = nodes[node].Output.Split('\n').Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("exception", StringComparison.OrdinalIgnoreCase));
            output.WriteLine($"node {node}:\n" + string.Join('\n', complaints.TakeLast(40)));
        }
    }
}
