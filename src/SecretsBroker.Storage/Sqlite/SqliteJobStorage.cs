using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.DependencyInjection;
using SQLite;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// Hangfire's storage for the embedded broker: its own SQLite file in the data folder (sqlite-net,
/// under Hangfire.Storage.SQLite), made mode 0600 before it is opened, so queued, scheduled and
/// recurring jobs and the dashboard's history survive a restart. The broker's database stays the
/// source of truth: a lost job file loses no work.
/// </summary>
public static class SqliteJobStorage
{
    /// <summary>
    /// A second a sweep comes and goes: an hour of finished jobs (not Hangfire's day, 86,400 sweeps)
    /// is the dashboard's history, and bounds the file.
    /// </summary>
    private static readonly TimeSpan FinishedJobsKept = TimeSpan.FromHours(1);

    /// <summary>
    /// Registers the <see cref="JobStorage"/>. Its file is opened on first use, not when the storage is
    /// resolved: the dashboard asks for the storage while the host is built, before the broker has
    /// unsealed and taken its data folder, and a sealed broker must not touch the folder at all.
    /// </summary>
    public static IServiceCollection AddSqliteJobStorage(this IServiceCollection services, Func<IServiceProvider, string> jobFilePath)
    {
        ArgumentNullException.ThrowIfNull(jobFilePath);

        // One per host, disposed with it, which closes its pooled connections.
        services.AddSingleton<JobStorage>(sp => new DeferredJobStorage(() => Open(jobFilePath(sp))) { JobExpirationTimeout = FinishedJobsKept });
        return services;
    }

    private static SQLiteStorage Open(string path)
    {
        UseOneSqliteProvider();
        CreateOwnerOnly(path);

        // Only one broker process may use a data folder: it holds broker.lock from unsealing until it
        // ends (BrokerNode), and this storage relies on that. It fetches a job with a read and an
        // update guarded by a lock inside this process only, so two processes on one file could both
        // fetch, and run, the same job.
        return new SQLiteStorage(new SQLiteDbConnectionFactory(() => Connect(path)), Options()) { JobExpirationTimeout = FinishedJobsKept };
    }

    private static SQLiteStorageOptions Options() => new()
    {
        // This storage has no wake-up on enqueue: an idle worker looks again this often, so a queued sweep or alert starts within half a second.
        QueuePollInterval = TimeSpan.FromMilliseconds(500),

        // A fetched job is not kept alive while it runs, so this outlasts the longest job (the orphan sweep may hold its lock 10 min); a job in flight when a process died reruns after it, its work long since rebuilt from the database.
        InvisibilityTimeout = TimeSpan.FromMinutes(30),

        // A held lock is renewed every fifth of this: 30 s rides out a starved thread pool under load (the library's "unable to update heartbeat" errors), and a lock a killed process left holds its job back at most 30 s.
        DistributedLockLifetime = TimeSpan.FromSeconds(30),

        // Jobs past FinishedJobsKept are deleted in passes of 100 rows this often: short write locks, and the file stays near an hour of jobs.
        JobExpirationCheckInterval = TimeSpan.FromMinutes(10),

        // The dashboard's counters are folded into totals this often (the library's default): nothing waits on them.
        CountersAggregateInterval = TimeSpan.FromMinutes(5),

        // Readers (workers polling, the dashboard) and the one writer do not block each other.
        JournalMode = SQLiteStorageOptions.JournalModes.WAL,

        // Freed pages are reused by the next hour's jobs; the file stays at its high-water mark without vacuum's writes.
        AutoVacuumSelected = SQLiteStorageOptions.AutoVacuum.NONE,

        // Idle connections kept open: the two workers and the server's own processes use about ten at once.
        PoolSize = 12,
    };

    private static SQLiteConnection Connect(string path)
    {
        // FullMutex: SQLite serialises the calls on each connection. The library's lock heartbeat writes
        // from a timer thread on the connection of the lock's owner while the owner may be using it, which
        // with its default no-mutex open corrupts memory (its issue #79). No Create flag: the file was made
        // owner-only above, and one deleted under a running broker is an error, not a new file under the umask.
        var connection = new SQLiteConnection(path, SQLiteOpenFlags.ReadWrite | SQLiteOpenFlags.FullMutex | SQLiteOpenFlags.PrivateCache, storeDateTimeAsTicks: true)
        {
            // Writers queue for the file's one write lock rather than fail with "database is locked" (the library waits 10 s; the broker's database 30 s).
            BusyTimeout = TimeSpan.FromSeconds(30),
        };

        // The library commits each statement of a Hangfire transaction on its own, some 25 commits a
        // second for the sweep alone; under FULL each is an fsync. NORMAL (in WAL) syncs at checkpoints:
        // a commit survives the process being killed, and a power cut can lose only the last job-state
        // changes, whose work the database (synchronous=FULL) still holds and the tickers rebuild.
        connection.Execute("PRAGMA synchronous=NORMAL");
        return connection;
    }

    /// <summary>
    /// Made before SQLite opens it, owner-only whatever the umask. SQLite gives the -wal and -shm files
    /// it makes the database file's mode; a file (or side file) left by an earlier start, a copy or a
    /// restore is brought back to owner-only.
    /// </summary>
    private static void CreateOwnerOnly(string path)
    {
        OwnerOnlyFiles.CreateFile(path, mustBeNew: false);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, OwnerOnlyFiles.File);
        }
    }

    /// <summary>
    /// Microsoft.Data.Sqlite sets SQLitePCLRaw's e_sqlite3 provider when it first opens a connection, and
    /// sqlite-net sets another in its static constructor. Set here (unless already set) and frozen
    /// before sqlite-net's first use, the process keeps one provider over the one native e_sqlite3 both
    /// stacks load (versions pinned in Directory.Packages.props).
    /// </summary>
    private static void UseOneSqliteProvider()
    {
        SQLitePCL.Batteries_V2.Init();
        SQLitePCL.raw.FreezeProvider();
    }
}
