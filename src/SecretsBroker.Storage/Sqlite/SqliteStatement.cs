using Microsoft.Data.Sqlite;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// One use of a command from <see cref="SqlitePreparedStatements.For"/>: its values are bound in the
/// order its parameters were named, and disposing it disposes the command only when it was made for
/// this one use (a prepared one stays with its connection).
/// </summary>
internal readonly struct SqliteStatement(SqliteCommand command, bool owned) : IDisposable
{
    /// <summary>Sets every parameter, in the order they were named; null is stored as NULL.</summary>
    public SqliteStatement Bind(params ReadOnlySpan<object?> values)
    {
        var parameters = command.Parameters;
        if (values.Length != parameters.Count)
        {
            throw new InvalidOperationException($"The statement has {parameters.Count} parameters and {values.Length} values were given.");
        }

        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return this;
    }

    public Task<int> ExecuteAsync(CancellationToken ct) => command.ExecuteNonQueryAsync(ct);

    public Task<object?> ScalarAsync(CancellationToken ct) => command.ExecuteScalarAsync(ct);

    public Task<SqliteDataReader> ReadAsync(CancellationToken ct) => command.ExecuteReaderAsync(ct);

    public void Dispose()
    {
        if (owned)
        {
            command.Dispose();
        }
    }
}
