using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>What the broker's database holds, read straight from the file: proof that a refused command issued nothing.</summary>
internal static class LeaseRows
{
    public static long Count(LeasingBroker world)
    {
        ArgumentNullException.ThrowIfNull(world);
        using var raw = world.Broker.OpenRawDatabase();
        using var count = raw.CreateCommand();
        count.CommandText = "SELECT count(*) FROM lease";
        return (long)count.ExecuteScalar()!;
    }
}
