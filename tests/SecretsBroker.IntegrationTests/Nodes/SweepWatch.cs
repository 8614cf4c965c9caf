using System.Diagnostics;
using Dapper;
using Npgsql;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// Which expiry sweeps a node's job server is running, read from Hangfire's tables in the store's job
/// schema: a job in state Processing names the server running it (host, process id, a guid).
/// </summary>
internal static class SweepWatch
{
    /// <summary>Sweeps in state Processing on the node process <paramref name="pid"/> (still so after a kill: nothing moves them on).</summary>
    public static Task<long> RunningOnAsync(NpgsqlConnection store, string jobSchema, int pid) =>
        store.ExecuteScalarAsync<long>(
            $"""
            SELECT count(*) FROM {jobSchema}.job j JOIN {jobSchema}.state s ON s.id = j.stateid
            WHERE j.statename = 'Processing' AND j.invocationdata::jsonb ->> 'Method' = 'SweepAsync'
              AND s.data::jsonb ->> 'ServerId' LIKE @server
            """,
            new { server = $"%:{pid}:%" });

    /// <summary>Waits (looking as fast as the store answers) until the node process <paramref name="pid"/> is running a sweep.</summary>
    public static async Task WaitUntilRunningOnAsync(NpgsqlConnection store, string jobSchema, int pid)
    {
        var waited = Stopwatch.StartNew();
        while (await RunningOnAsync(store, jobSchema, pid) == 0)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"the node process {pid} never ran an expiry sweep");
            }
        }
    }
}
