using Npgsql;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// The PostgreSQL cluster holding the broker's own store, apart from the one its PostgreSQL leases are
/// minted in (as in a deployment, where the broker's database is not the application's). TestSupport's
/// clusters run with fsync off; this one is switched back to what a production database runs with
/// (fsync, synchronous_commit and full_page_writes on), so a commit on this store is durable as one on
/// the embedded store (synchronous=FULL) is, and the figures compare like for like.
/// </summary>
internal static class StoreCluster
{
    private static readonly string[] Durable = ["fsync", "synchronous_commit", "full_page_writes"];

    public static async Task<PostgresCluster> StartAsync(CancellationToken ct)
    {
        var cluster = PostgresCluster.Start();
        try
        {
            foreach (var setting in Durable)
            {
                // ALTER SYSTEM refuses to run inside a transaction, so one statement at a time.
                await cluster.ExecuteAsync("postgres", $"ALTER SYSTEM SET {setting} = on");
            }

            await cluster.ExecuteAsync("postgres", "SELECT pg_reload_conf()");
            await WaitUntilDurableAsync(cluster, ct);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>The reload is a signal to the server: each new session shows whether it has been applied yet.</summary>
    private static async Task WaitUntilDurableAsync(PostgresCluster cluster, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var c = new NpgsqlConnection(cluster.AdminConnectionString());
            await c.OpenAsync(ct);
            var on = 0;
            foreach (var setting in Durable)
            {
                await using var show = new NpgsqlCommand($"SHOW {setting}", c);
                on += (string?)await show.ExecuteScalarAsync(ct) == "on" ? 1 : 0;
            }

            if (on == Durable.Length)
            {
                return;
            }

            await Task.Delay(100, ct);
        }

        throw new InvalidOperationException("The store cluster did not take fsync, synchronous_commit and full_page_writes on.");
    }
}
