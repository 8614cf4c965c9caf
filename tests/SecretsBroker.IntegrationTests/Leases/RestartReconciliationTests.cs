using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>
/// After a restart, a lease left in issuing that this data folder's broker did not write (another
/// node's, or one written before writers were recorded) may still be minting elsewhere: it waits
/// for the stuck-issuing timeout as before.
/// </summary>
public sealed class RestartReconciliationTests
{
    [Fact]
    public async Task Leases_in_issuing_written_by_another_node_or_by_no_recorded_writer_are_left_until_the_timeout()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var otherNode = await world.IssueAsync(runner, "deploy");
        var noWriter = await world.IssueAsync(runner, "smoke");
        var operatorToken = await world.Broker.CreateTokenAsync("oncall", "operator");
        using (var raw = world.Broker.OpenRawDatabase())
        {
            using var fake = raw.CreateCommand();
            fake.CommandText = """
                UPDATE lease SET state = 'issuing', writer_node = 'another-node', writer_incarnation = 'its-start' WHERE id = $other;
                UPDATE lease SET state = 'issuing', writer_node = NULL, writer_incarnation = NULL WHERE id = $none;
                """;
            fake.Parameters.AddWithValue("$other", otherNode.Lease.Id);
            fake.Parameters.AddWithValue("$none", noWriter.Lease.Id);
            Assert.Equal(2, fake.ExecuteNonQuery());
        }

        await world.RestartAsync();
        var jobs = world.Broker.Services.GetRequiredService<LeaseJobs>();
        using var operatorClient = world.Broker.Client(operatorToken);
        await jobs.ReconcileAsync();
        var afterRestart = await StatesAsync(operatorClient, otherNode, noWriter);
        world.Broker.Clock.Advance(Duration.FromSeconds(61));
        await jobs.ReconcileAsync();
        var afterTimeout = await StatesAsync(operatorClient, otherNode, noWriter);

        Assert.Equal(["issuing", "issuing"], afterRestart.Select(l => l.State));
        Assert.All(afterTimeout, l => Assert.Equal(("revoked", "reconciled_issuing"), (l.State, l.RevokeReason)));
    }

    private static async Task<IReadOnlyList<LeaseInfo>> StatesAsync(HttpClient client, params IssuedLeaseResponse[] leases)
    {
        var seen = new List<LeaseInfo>();
        foreach (var lease in leases)
        {
            seen.Add((await client.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{lease.Lease.Id}"))!);
        }

        return seen;
    }
}
