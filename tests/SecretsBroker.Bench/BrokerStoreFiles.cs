using System.Globalization;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// A broker store in the benchmark's store cluster as <c>pg-cluster</c> wrote it into the run's private
/// temp folder: <c>store-N.conn</c> (owner-only) holds the store login's connection string, which a
/// node reads through <c>Storage:ConnectionStringFile</c> and which never goes on a command line, and
/// <c>store-N.schema</c> the schema of its tables (<c>Storage:Schema</c>). Store 0 is the nodes'; the
/// others are fresh stores for the runs that use the store classes directly.
/// </summary>
internal sealed record BrokerStoreFiles(string ConnectionString, string Schema)
{
    public static string ConnectionFile(string dir, int index) => Path.Combine(dir, $"store-{index.ToString(CultureInfo.InvariantCulture)}.conn");

    public static string SchemaFile(string dir, int index) => Path.Combine(dir, $"store-{index.ToString(CultureInfo.InvariantCulture)}.schema");

    public static async Task WriteAsync(string dir, int index, PostgresStoreLogin store)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var conn = new StreamWriter(ConnectionFile(dir, index), options))
        {
            await conn.WriteAsync(store.ConnectionString);
        }

        await File.WriteAllTextAsync(SchemaFile(dir, index), store.Schema);
    }

    public static async Task<BrokerStoreFiles> ReadAsync(string dir, int index) =>
        new((await File.ReadAllTextAsync(ConnectionFile(dir, index))).Trim(), (await File.ReadAllTextAsync(SchemaFile(dir, index))).Trim());

    /// <summary>The store's database as the broker opens it (pooled, the schema as search path).</summary>
    public PostgresDatabase Open() => new(ConnectionString, Schema);
}
