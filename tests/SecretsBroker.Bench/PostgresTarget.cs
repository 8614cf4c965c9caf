using System.Text.Json;
using Npgsql;

namespace SecretsBroker.Bench;

/// <summary>
/// Where the benchmark's throwaway PostgreSQL cluster listens and how to reach it as the broker's admin
/// login (LOGIN CREATEROLE, pg_signal_backend, ADMIN OPTION on the group role: deploy/README.md's recipe),
/// as <c>pg-cluster</c> wrote it into the run's private temp folder (never onto a command line).
/// </summary>
internal sealed record PostgresTarget(string Host, int Port, string Database, string Username, string Password, string Folder)
{
    public const string File = "pg.json";

    /// <summary>The NOLOGIN group role minted roles join through the policy's grants template.</summary>
    public const string Group = "bench_app_rw";

    /// <summary>The broker's <c>postgresql-admin</c> root secret for the benchmark's PostgreSQL role.</summary>
    public const string AdminSecret = "bench-pg-admin";

    /// <summary>The policy role that mints a PostgreSQL login per lease.</summary>
    public const string Role = "bench-pg";

    public static async Task<PostgresTarget> ReadAsync(string path) =>
        JsonSerializer.Deserialize<PostgresTarget>(await System.IO.File.ReadAllTextAsync(path), BenchJson.Lines)
            ?? throw new InvalidDataException($"{path}: not a PostgreSQL target");

    /// <summary>Written to a temp name and moved into place, so bench.sh never sees half a file.</summary>
    public async Task WriteAsync(string path)
    {
        var partial = path + ".partial";
        await System.IO.File.WriteAllTextAsync(partial, JsonSerializer.Serialize(this, BenchJson.Lines));
        System.IO.File.Move(partial, path, overwrite: true);
    }

    /// <summary>An admin session of its own (no pooling), as each benchmark loop holds one.</summary>
    public string ConnectionString() => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = Database,
        Username = Username,
        Password = Password,
        Pooling = false,
        Timeout = 10,
        CommandTimeout = 30,
    }.ToString();
}
