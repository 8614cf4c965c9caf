using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// The group-commit writer's prepared commands: one <see cref="SqliteCommand"/> per SQL text, compiled
/// once on the writer's connection with its parameters made once, so a hot write only sets their
/// values: no statement is parsed again and nothing is bound through Dapper's reflection. They belong
/// to that one connection, and only the writer uses it: it attaches them when it opens the connection
/// and disposes them when it replaces or closes it. On any other connection <see cref="For"/> makes a
/// command for the one use, so the same code writes through either.
/// </summary>
internal sealed class SqlitePreparedStatements : IDisposable
{
    private static readonly ConditionalWeakTable<SqliteConnection, SqlitePreparedStatements> Attached = new();

    private readonly SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

    private SqlitePreparedStatements(SqliteConnection connection) => this.connection = connection;

    /// <summary>Keeps prepared commands for <paramref name="connection"/> until the result is disposed.</summary>
    public static SqlitePreparedStatements AttachTo(SqliteConnection connection)
    {
        var statements = new SqlitePreparedStatements(connection);
        Attached.AddOrUpdate(connection, statements);
        return statements;
    }

    /// <summary>
    /// <paramref name="sql"/> in <paramref name="transaction"/>, with the parameters
    /// <paramref name="parameterNames"/> (their prefix included, as the SQL spells them) in that order:
    /// the connection's prepared command when it has them, else a command of its own.
    /// </summary>
    public static SqliteStatement For(SqliteTransaction transaction, string sql, IReadOnlyList<string> parameterNames)
    {
        var connection = transaction.Connection ?? throw new InvalidOperationException("The transaction has ended.");
        if (Attached.TryGetValue(connection, out var statements))
        {
            if (!statements.commands.TryGetValue(sql, out var prepared))
            {
                prepared = Create(connection, transaction, sql, parameterNames);
                prepared.Prepare();
                statements.commands.Add(sql, prepared);
            }

            prepared.Transaction = transaction;
            return new SqliteStatement(prepared, owned: false);
        }

        return new SqliteStatement(Create(connection, transaction, sql, parameterNames), owned: true);
    }

    public void Dispose()
    {
        Attached.Remove(connection);
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }

        commands.Clear();
    }

    private static SqliteCommand Create(SqliteConnection connection, SqliteTransaction transaction, string sql, IReadOnlyList<string> parameterNames)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
