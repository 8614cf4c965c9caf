using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Server.Jobs;
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

    /// <summary>
    /// The lease as an operator sees it once the broker's revocation jobs have run. A sweep asked for here
    /// skips a lease the background sweep holds at that moment, so a lease still revoking is waited for.
    /// </summary>
    public static async Task<LeaseInfo> AfterSweepAsync(LeasingBroker world, string id)
    {
        ArgumentNullException.ThrowIfNull(world);
        await world.Broker.Services.GetRequiredService<LeaseJobs>().SweepAsync();
        using var admin = world.Broker.Admin();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var lease = (await admin.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{id}"))!;
            if (lease.State != "revoking" || waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                return lease;
            }

            await Task.Delay(50);
        }
    }
}
