using System.Runtime.InteropServices;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>pg-cluster</c>: a throwaway PostgreSQL cluster on 127.0.0.1 (TestSupport's <see cref="PostgresCluster"/>:
/// initdb into a temp folder as the <c>postgres</c> OS user, scram passwords, fsync off) with a database
/// the group role the policy grants and the broker's admin login (made by the guide's recipe), described in <c>--dir</c>/pg.json. It runs until SIGTERM from
/// bench.sh or <c>--max-seconds</c>, then stops the server and removes the folder before it exits.
/// With <c>--stores N</c> (N &gt; 0) it also starts the <see cref="StoreCluster"/> (durable commits) and
/// makes N broker stores in it by the least-privileged recipe (<see cref="PostgresCluster.CreateBrokerStoreAsync"/>),
/// each described by <see cref="BrokerStoreFiles"/>; pg.json is written last, once everything is ready.
/// </summary>
internal static class PostgresClusterRun
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var dir = args.Text("dir");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(args.WholeNumber("max-seconds", 900)));
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var stores = args.WholeNumber("stores", 0);
        using var cluster = PostgresCluster.Start();
        // The folders go first, one a line, so bench.sh can stop the servers itself should this process be killed.
        var folders = Path.Combine(dir, "pg.folder");
        await File.WriteAllTextAsync(folders, cluster.Folder + "\n");
        using var storeCluster = stores > 0 ? await StoreCluster.StartAsync(stop.Token) : null;
        if (storeCluster is not null)
        {
            await File.AppendAllTextAsync(folders, storeCluster.Folder + "\n");
            for (var i = 0; i < stores; i++)
            {
                await BrokerStoreFiles.WriteAsync(dir, i, await storeCluster.CreateBrokerStoreAsync("bench_store"));
            }

            Console.WriteLine($"pg-cluster: broker store cluster on {storeCluster.Host}:{storeCluster.Port} (fsync on), {stores} stores");
        }

        var database = await cluster.CreateDatabaseAsync("bench");
        await cluster.CreateGroupRoleAsync(database, PostgresTarget.Group);
        // The broker and the bare baseline both log in as the admin deploy/README.md prescribes, not a superuser.
        var admin = await cluster.CreateBrokerAdminAsync(PostgresTarget.Group);
        var target = new PostgresTarget(cluster.Host, cluster.Port, database, admin.Username, admin.Password, cluster.Folder);
        await target.WriteAsync(Path.Combine(dir, PostgresTarget.File));
        Console.WriteLine($"pg-cluster: PostgreSQL on {cluster.Host}:{cluster.Port}, database {database}");

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM or the time limit: the cluster is disposed below, waiting for pg_ctl.
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
