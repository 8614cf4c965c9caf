using Npgsql;

namespace SecretsBroker.TestSupport;

/// <summary>
/// The broker's login to its own store, made as deploy/several-nodes.md prescribes: a role that can
/// log in and connect to the store's database and owns the broker's two schemas, nothing else. Its
/// <see cref="ConnectionString"/> is what an operator puts in <c>Storage:ConnectionString</c>.
/// </summary>
public sealed record PostgresStoreLogin(string Database, string Schema, PostgresLogin Login, string ConnectionString)
{
    public string JobSchema => Schema + "_jobs";

    /// <summary>A connection string of this login with pooling off, for a test's own look at the tables.</summary>
    public string UnpooledConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Options = "-c search_path=" + Schema }.ToString();
}
