using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace SecretsBroker.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: initdb into a temp folder owned by the <c>postgres</c>
/// OS user (PostgreSQL refuses to run as root), scram passwords, a free loopback port, its socket
/// in the temp folder and fsync off. <see cref="Shared"/> is one cluster per test process, started on
/// first use; every cluster started here is stopped and removed when the process exits.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    public const string Superuser = "postgres";
    private const string OsUser = "postgres";

    private static readonly Lazy<PostgresCluster> SharedCluster = new(() => Start(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly List<PostgresCluster> Started = [];
    private static readonly Lock StartedLock = new();

    private readonly string binDirectory;
    private readonly Lock runLock = new();
    private readonly SemaphoreSlim storeDatabaseLock = new(1, 1);

    // GRANT and REVOKE on one database rewrite its one pg_database row, and two at once fail with
    // "tuple concurrently updated": stores made and dropped by tests running in parallel take turns.
    private readonly SemaphoreSlim databaseGrantLock = new(1, 1);
    private readonly HashSet<string> storeDatabases = [];
    private bool disposed;

    static PostgresCluster() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();

    private PostgresCluster(string binDirectory, string folder, int port, string password)
    {
        this.binDirectory = binDirectory;
        Folder = folder;
        Port = port;
        SuperuserPassword = password;
    }

    /// <summary>The cluster every PostgreSQL test shares; tests keep apart by using their own databases and roles.</summary>
    public static PostgresCluster Shared => SharedCluster.Value;

    public string Folder { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    public string SuperuserPassword { get; }

    /// <summary>The superuser's connection string for <paramref name="database"/>.</summary>
    public string AdminConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = database,
        Username = Superuser,
        Password = SuperuserPassword,
        Pooling = false,
        Timeout = 5,
    }.ToString();

    /// <summary>Starts a new cluster of its own (for a test that stops and starts the server).</summary>
    public static PostgresCluster Start()
    {
        var bin = FindBinDirectory();
        RemoveStale();
        var folder = Path.Combine(Path.GetTempPath(), "sb-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var password = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        var cluster = new PostgresCluster(bin, folder, FreePort(), password);
        lock (StartedLock)
        {
            Started.Add(cluster);
        }

        try
        {
            cluster.Initialize();
            cluster.StartServer();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server again after <see cref="StopServer"/>.</summary>
    public void StartServer() => PgCtl("start", "-w", "-t", "60", "-l", Path.Combine(Folder, "server.log"));

    /// <summary>Stops the server at once, ending every session (as an outage would).</summary>
    public void StopServer() => PgCtl("stop", "-w", "-m", "fast");

    /// <summary>Creates a database with a table <c>items (id int, note text)</c>, owned by the superuser.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "db_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"");
        await ExecuteAsync(name, "CREATE TABLE items (id int PRIMARY KEY, note text)");
        return name;
    }

    /// <summary>
    /// Creates a NOLOGIN group role that may SELECT and INSERT on <c>items</c> in <paramref name="database"/>
    /// (the role an operator prepares once, which minted roles become members of).
    /// </summary>
    public async Task<string> CreateGroupRoleAsync(string database, string? name = null)
    {
        name ??= "app_rw_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync("postgres", $"CREATE ROLE \"{name}\" NOLOGIN");
        await ExecuteAsync(database, $"GRANT CONNECT ON DATABASE \"{database}\" TO \"{name}\"; GRANT USAGE ON SCHEMA public TO \"{name}\"; GRANT SELECT, INSERT ON items TO \"{name}\"");
        return name;
    }

    /// <summary>
    /// The broker's admin login made exactly as deploy/README.md prescribes, never a superuser:
    /// <c>LOGIN CREATEROLE</c>, membership in <c>pg_signal_backend</c>, and <c>ADMIN OPTION</c> on
    /// each of <paramref name="groups"/>. Every PostgreSQL test gives the broker this login, so a
    /// test passes only with what an operator following the guide grants.
    /// </summary>
    public async Task<PostgresLogin> CreateBrokerAdminAsync(params string[] groups)
    {
        var login = new PostgresLogin("sb_admin_" + Guid.NewGuid().ToString("N")[..10], RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32));
        var grants = string.Concat(groups.Select(g => $"; GRANT \"{g}\" TO \"{login.Username}\" WITH ADMIN OPTION"));
        await ExecuteAsync("postgres", $"CREATE ROLE \"{login.Username}\" LOGIN CREATEROLE PASSWORD '{login.Password}'; GRANT pg_signal_backend TO \"{login.Username}\"{grants}");
        return login;
    }

    /// <summary>
    /// A broker store as deploy/several-nodes.md sets one up: in <paramref name="database"/> (made once,
    /// with CONNECT revoked from PUBLIC and no CREATE on its public schema), a login role owning a
    /// schema for the broker's tables and one for Hangfire's, with CONNECT on that database and nothing
    /// more. Several stores may share a database; each has its own role and schemas.
    /// </summary>
    public async Task<PostgresStoreLogin> CreateBrokerStoreAsync(string database = "secretsbroker")
    {
        await EnsureStoreDatabaseAsync(database);
        var id = Guid.NewGuid().ToString("N")[..10];
        var login = new PostgresLogin("sb_store_" + id, RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32));
        var schema = "broker_" + id;
        await ExecuteAsync("postgres", $"CREATE ROLE \"{login.Username}\" LOGIN PASSWORD '{login.Password}'");
        await GrantInTurnAsync($"GRANT CONNECT ON DATABASE \"{database}\" TO \"{login.Username}\"");
        await ExecuteAsync(database, $"CREATE SCHEMA {schema} AUTHORIZATION \"{login.Username}\"; CREATE SCHEMA {schema}_jobs AUTHORIZATION \"{login.Username}\"");
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = login.Username,
            Password = login.Password,
            Timeout = 5,
        }.ToString();
        return new PostgresStoreLogin(database, schema, login, connectionString);
    }

    /// <summary>Drops a store's schemas and its role (after its connections are closed).</summary>
    public async Task DropBrokerStoreAsync(PostgresStoreLogin store)
    {
        await ExecuteAsync("postgres", $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{store.Login.Username}'");
        await ExecuteAsync(store.Database, $"DROP SCHEMA IF EXISTS {store.Schema} CASCADE; DROP SCHEMA IF EXISTS {store.JobSchema} CASCADE");
        await GrantInTurnAsync($"REVOKE CONNECT ON DATABASE \"{store.Database}\" FROM \"{store.Login.Username}\"");
        await ExecuteAsync("postgres", $"DROP ROLE IF EXISTS \"{store.Login.Username}\"");
    }

    private async Task GrantInTurnAsync(string sql)
    {
        await databaseGrantLock.WaitAsync();
        try
        {
            await ExecuteAsync("postgres", sql);
        }
        finally
        {
            databaseGrantLock.Release();
        }
    }

    private async Task EnsureStoreDatabaseAsync(string database)
    {
        await storeDatabaseLock.WaitAsync();
        try
        {
            if (storeDatabases.Contains(database))
            {
                return;
            }

            if (await ScalarAsync("SELECT count(*) FROM pg_database WHERE datname = @name", ("name", database)) is 0L)
            {
                await ExecuteAsync("postgres", $"CREATE DATABASE \"{database}\"");
                await ExecuteAsync("postgres", $"REVOKE ALL ON DATABASE \"{database}\" FROM PUBLIC");
                await ExecuteAsync(database, "REVOKE ALL ON SCHEMA public FROM PUBLIC");
            }

            storeDatabases.Add(database);
        }
        finally
        {
            storeDatabaseLock.Release();
        }
    }

    /// <summary>The fields of a <c>postgresql-admin</c> root secret for <paramref name="login"/> on <paramref name="database"/>.</summary>
    public Dictionary<string, string> AdminSecretFields(PostgresLogin login, string database) => new()
    {
        ["host"] = Host,
        ["port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["database"] = database,
        ["username"] = login.Username,
        ["password"] = login.Password,
        ["sslmode"] = "disable",
    };

    /// <summary>Runs SQL as the superuser in <paramref name="database"/>.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query as the superuser and returns its first value.</summary>
    public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var value1 = await command.ExecuteScalarAsync();
        return value1 is DBNull ? null : value1;
    }

    /// <summary>True when a role of this name exists in the cluster.</summary>
    public async Task<bool> RoleExistsAsync(string role) =>
        await ScalarAsync("SELECT count(*) FROM pg_roles WHERE rolname = @name", ("name", role)) is long n && n > 0;

    /// <summary>Stops the server (immediate shutdown) and removes the folder, waiting for both.</summary>
    public void Dispose()
    {
        if (!MarkDisposed())
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                Run(Path.Combine(binDirectory, "pg_ctl"), ["-D", DataDirectory, "stop", "-w", "-m", "immediate"], throwOnFailure: false);
            }
        }
        finally
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }

    private bool MarkDisposed()
    {
        lock (runLock)
        {
            var first = !disposed;
            disposed = true;
            return first;
        }
    }

    /// <summary>
    /// At process exit the test runner kills the test host moments after the last test, too soon to
    /// wait for pg_ctl: the stop and the removal run in a detached session of their own instead.
    /// </summary>
    private static void StopAll()
    {
        List<PostgresCluster> all;
        lock (StartedLock)
        {
            all = [.. Started];
            Started.Clear();
        }

        foreach (var cluster in all.Where(c => c.MarkDisposed()))
        {
            var stop = RunningAsRoot
                ? "runuser -u postgres -- \"$1/pg_ctl\" -D \"$2/data\" stop -w -m immediate"
                : "\"$1/pg_ctl\" -D \"$2/data\" stop -w -m immediate";
            var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
            foreach (var arg in (string[])["sh", "-c", $"{stop} >/dev/null 2>&1; rm -rf \"$2\"", "sh", cluster.binDirectory, cluster.Folder])
            {
                start.ArgumentList.Add(arg);
            }

            using var reaper = Process.Start(start);
        }
    }

    /// <summary>Removes clusters that earlier test processes left behind: no server running, untouched for ten minutes.</summary>
    private static void RemoveStale()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "sb-pg-*"))
        {
            if (!File.Exists(Path.Combine(folder, "data", "postmaster.pid")) && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > TimeSpan.FromMinutes(10))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // Another test process is removing it too.
                }
            }
        }
    }

    private void Initialize()
    {
        var pwfile = Path.Combine(Folder, "pwfile");
        File.WriteAllText(pwfile, SuperuserPassword + "\n");
        if (RunningAsRoot)
        {
            Run("chown", ["-R", $"{OsUser}:{OsUser}", Folder]);
        }

        Run(Path.Combine(binDirectory, "initdb"),
            ["-D", DataDirectory, "-U", Superuser, "--pwfile", pwfile, "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync"]);
        File.Delete(pwfile);
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"), string.Join('\n',
            "",
            "listen_addresses = '127.0.0.1'",
            $"port = {Port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_directories = '{Folder}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 200",
            ""));
    }

    private void PgCtl(params string[] args) => Run(Path.Combine(binDirectory, "pg_ctl"), ["-D", DataDirectory, .. args]);

    private static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>Runs a program as the postgres OS user when this process is root, else as itself.</summary>
    private static void Run(string program, string[] args, bool throwOnFailure = true)
    {
        var asPostgres = RunningAsRoot && program != "chown";
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var arg in (string[])["-u", OsUser, "--", program])
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0 && throwOnFailure)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: d, Version: decimal.TryParse(Path.GetFileName(d), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault().Dir
            : null;
        return newest is null
            ? throw new InvalidOperationException($"No PostgreSQL server under {root}/*/bin; scripts/test.sh installs it (apt-get install postgresql).")
            : Path.Combine(newest, "bin");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
