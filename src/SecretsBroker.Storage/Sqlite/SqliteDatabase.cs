using Microsoft.Data.Sqlite;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// Opens connections to the broker's SQLite file. Every connection commits durably
/// (<c>synchronous=FULL</c> under WAL): an answered request survives a power cut.
/// </summary>
public sealed class SqliteDatabase
{
    public SqliteDatabase(string path)
    {
        Path = path;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// For looking before any change is allowed (the seal check): cannot write or create. After a
    /// clean shutdown there is no WAL file, and the file is opened as immutable so that not even
    /// SQLite's -wal and -shm companions appear; a WAL left by a crash must be read, so then the
    /// connection is only read-only.
    /// </summary>
    public string ReadOnlyConnectionString => File.Exists(Path + "-wal")
        ? new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()
        : new SqliteConnectionStringBuilder { DataSource = new Uri(System.IO.Path.GetFullPath(Path)).AbsoluteUri + "?immutable=1", Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();

    public bool Exists => File.Exists(Path);

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = Pragmas;
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Synchronous open, for Data Protection's synchronous key-ring interface only.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = Pragmas;
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>WAL is stored in the file once set; synchronous and foreign keys are per connection.</summary>
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
}
