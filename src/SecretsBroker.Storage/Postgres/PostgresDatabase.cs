using Npgsql;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Opens connections to the broker's own PostgreSQL database, shared by every node. Every name the
/// stores use is unqualified and resolves in <see cref="Schema"/> (the connection's search path), the
/// one schema the broker's login owns; Hangfire's tables live beside it in <see cref="JobSchema"/>.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public PostgresDatabase(string connectionString, string schema)
    {
        if (!SchemaName.IsValid(schema))
        {
            throw new ArgumentException("A schema name is lower-case letters, digits and '_', starting with a letter.", nameof(schema));
        }

        Schema = schema;
        // The search path as a startup option rather than Npgsql's SearchPath: DbUp reads SearchPath as
        // a schema to create, which needs CREATE on the database, a right the broker's login lacks.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = null, Options = "-c search_path=" + schema };
        Location = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database} (schema {schema})";
        ConnectionString = builder.ConnectionString;
        JobConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Options = "-c search_path=" + JobSchema }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>Where the store is, without the login: safe for logs and answers.</summary>
    public string Location { get; }

    public string Schema { get; }

    public string JobSchema => Schema + "_jobs";

    /// <summary>The connection string with the search path; it holds the password, so it is never logged.</summary>
    public string ConnectionString { get; }

    /// <summary>The same login with Hangfire's schema as search path.</summary>
    public string JobConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => DataSource.OpenConnectionAsync(ct);

    /// <summary>Synchronous open, for Data Protection's synchronous key-ring interface only.</summary>
    public NpgsqlConnection Open() => DataSource.OpenConnection();

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction (read committed) and commits it: what a store
    /// writes with its audit event commits together or not at all.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(ct);
        return result;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
