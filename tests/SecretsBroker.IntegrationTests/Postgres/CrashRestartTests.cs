using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>
/// A broker that died between writing a PostgreSQL lease ahead and activating it: the next broker
/// process on the same data folder settles the lease as soon as it starts, not a timeout later.
/// </summary>
public sealed class CrashRestartTests
{
    [Fact]
    public async Task A_lease_an_earlier_process_left_in_issuing_is_revoked_and_its_role_dropped_right_after_restart()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        var operatorToken = await pg.Broker.CreateTokenAsync("oncall", "operator");
        using (var raw = pg.Broker.OpenRawDatabase())
        {
            // As if the process died after the mint and before the lease became active: the row it
            // wrote ahead, with its writer, is all that is left.
            using var crash = raw.CreateCommand();
            crash.CommandText = "UPDATE lease SET state = 'issuing' WHERE id = $id; DELETE FROM lease_credential WHERE lease_id = $id";
            crash.Parameters.AddWithValue("$id", issued.Lease.Id);
            Assert.Equal(2, crash.ExecuteNonQuery());
        }

        var roleBefore = await pg.Cluster.RoleExistsAsync(issued.Credential["username"]);
        var clockBefore = pg.Broker.Clock.GetCurrentInstant();

        // The clock does not move: only the start's own reconciliation can have done it.
        await pg.World.RestartAsync();
        using var operatorClient = pg.Broker.Client(operatorToken);
        var after = await CiJobLifeTests.WaitForStateAsync(operatorClient, issued.Lease.Id, "revoked", TimeSpan.FromSeconds(20));

        Assert.True(roleBefore);
        Assert.Equal(clockBefore, pg.Broker.Clock.GetCurrentInstant());
        Assert.Equal(("revoked", "reconciled_issuing"), (after.State, after.RevokeReason));
        await PostgresLeaseTests.AssertGoneAsync(pg, issued.Credential);
    }
}
