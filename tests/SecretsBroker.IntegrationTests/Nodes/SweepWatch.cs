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

    /// <summary>
    /// Stops the node process <paramref name="pid"/> (SIGSTOP) while it is running a sweep, to be killed in
    /// the middle of it. Seeing the sweep run and stopping the process are two steps, and a short sweep can
    /// finish between them on a loaded machine: then the process is let go on (SIGCONT) and caught at its next sweep.
    /// </summary>
    public static async Task FreezeMidSweepAsync(NpgsqlConnection store, string jobSchema, int pid)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await WaitUntilRunningOnAsync(store, jobSchema, pid);
            await SignalAsync(pid, "STOP");

            // A statement the node sent just before it stopped (the sweep's own "succeeded") may still be
            // committing at the server: let it land before looking.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            if (await RunningOnAsync(store, jobSchema, pid) > 0)
            {
                return;
            }

            await SignalAsync(pid, "CONT");
            if (waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"the node process {pid} was never stopped in the middle of an expiry sweep");
            }
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed with exit {kill.ExitCode}");
        }
    }

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
