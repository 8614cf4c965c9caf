using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Storage.Migration;

/// <summary>
/// Copies every broker table of an embedded store into an empty PostgreSQL store in one transaction:
/// the target ends with all of it or none of it. The embedded file is opened read-only (immutable when
/// it holds every commit), so it is left exactly as it was.
/// </summary>
internal sealed class StoreCopier(SqliteDatabase source, PostgresDatabase target)
{
    /// <summary>A table and its rows, the same on both sides once the copy committed.</summary>
    public sealed record CopiedRows(string Table, long Rows);

    private static class Sql
    {
        public const string SourceSequence = "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = @Table";

        public const string SourceHasSequences = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'";

        public const string SetSequence = "SELECT setval(pg_get_serial_sequence(@Table, @Column), @Next, false)";

        public static string Lock(IEnumerable<string> tables) => $"LOCK TABLE {string.Join(", ", tables)} IN EXCLUSIVE MODE";

        public static string HasRows(string table) => $"SELECT EXISTS (SELECT 1 FROM {table})";

        public static string Count(string table) => $"SELECT count(*) FROM {table}";

        public static string Max(string table, string column) => $"SELECT coalesce(max({column}), 0) FROM {table}";

        public static string Select(CopiedTable table) => $"SELECT {string.Join(", ", table.Columns.Select(c => c.Name))} FROM {table.Name}";

        public static string Copy(CopiedTable table) => $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";
    }

    public async Task<IReadOnlyList<CopiedRows>> CopyAsync(CancellationToken ct)
    {
        await using var reader = new SqliteConnection(source.ReadOnlyConnectionString);
        await reader.OpenAsync(ct);
        // One read transaction: every table is read from the same snapshot.
        await using var snapshot = reader.BeginTransaction(deferred: true);

        await using var writer = await target.OpenAsync(ct);
        await using var transaction = await writer.BeginTransactionAsync(ct);
        var tables = await CopyPlan.ReadAsync(reader, writer, transaction, ct);

        // Taken before the emptiness check and held to the commit: a broker node starting on the same
        // store, or a second copy, waits instead of writing between the check and the copy.
        var names = tables.Select(t => t.Name).Append(CopyPlan.StoreOriginTable).ToList();
        await writer.ExecuteAsync(new CommandDefinition(Sql.Lock(names), transaction: transaction, cancellationToken: ct));
        foreach (var name in names)
        {
            if (await writer.ExecuteScalarAsync<bool>(new CommandDefinition(Sql.HasRows(name), transaction: transaction, cancellationToken: ct)))
            {
                throw new StoreMoveRefusedException($"The target store already holds broker data (its table {name} has rows); migrate-store copies only into an empty store. Nothing was copied.");
            }
        }

        var copied = new List<CopiedRows>();
        foreach (var table in tables)
        {
            await CopyTableAsync(reader, snapshot, writer, table, ct);
            var expected = await reader.ExecuteScalarAsync<long>(new CommandDefinition(Sql.Count(table.Name), transaction: snapshot, cancellationToken: ct));
            var actual = await writer.ExecuteScalarAsync<long>(new CommandDefinition(Sql.Count(table.Name), transaction: transaction, cancellationToken: ct));
            if (expected != actual)
            {
                throw new StoreMoveRefusedException($"The table {table.Name} has {expected} rows in the embedded store but {actual} in the target after the copy; it was rolled back, nothing was copied.");
            }

            if (table.IdentityColumn is { } identity)
            {
                await MoveSequencePastAsync(reader, snapshot, writer, transaction, table.Name, identity, ct);
            }

            copied.Add(new CopiedRows(table.Name, actual));
        }

        await transaction.CommitAsync(ct);
        return copied;
    }

    /// <summary>
    /// Streams the table through one binary COPY: rows go to the server in buffered batches as they are
    /// read, so a table of a million leases never sits in memory.
    /// </summary>
    private static async Task CopyTableAsync(SqliteConnection reader, SqliteTransaction snapshot, NpgsqlConnection writer, CopiedTable table, CancellationToken ct)
    {
        await using var select = reader.CreateCommand();
        select.Transaction = snapshot;
        select.CommandText = Sql.Select(table);
        await using var rows = await select.ExecuteReaderAsync(ct);
        await using var copy = await writer.BeginBinaryImportAsync(Sql.Copy(table), ct);
        while (await rows.ReadAsync(ct))
        {
            await copy.StartRowAsync(ct);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                await WriteValueAsync(copy, rows, i, table.Name, table.Columns[i], ct);
            }
        }

        await copy.CompleteAsync(ct);
    }

    private static Task WriteValueAsync(NpgsqlBinaryImporter copy, DbDataReader rows, int ordinal, string table, CopiedColumn column, CancellationToken ct)
    {
        if (rows.IsDBNull(ordinal))
        {
            return copy.WriteNullAsync(ct);
        }

        var value = rows.GetValue(ordinal);
        return (column.Type, value) switch
        {
            (NpgsqlDbType.Text, string text) => copy.WriteAsync(text, NpgsqlDbType.Text, ct),
            (NpgsqlDbType.Bigint, long number) => copy.WriteAsync(number, NpgsqlDbType.Bigint, ct),
            (NpgsqlDbType.Integer, long number) when number is >= int.MinValue and <= int.MaxValue => copy.WriteAsync((int)number, NpgsqlDbType.Integer, ct),
            // SQLite has no boolean: the embedded store writes 0 and 1, and anything else is damage, not a value.
            (NpgsqlDbType.Boolean, long flag) when flag is 0 or 1 => copy.WriteAsync(flag == 1, NpgsqlDbType.Boolean, ct),
            _ => throw new StoreMoveRefusedException($"A value of {table}.{column.Name} in the embedded store (a {value.GetType().Name}) does not fit the target's {column.Type} column; it was rolled back, nothing was copied."),
        };
    }

    /// <summary>
    /// Past the largest copied value, and past the largest SQLite ever handed out (AUTOINCREMENT never
    /// reuses the id of a deleted row, e.g. a pruned claim set an ended lease still names).
    /// </summary>
    private static async Task MoveSequencePastAsync(SqliteConnection reader, SqliteTransaction snapshot, NpgsqlConnection writer, NpgsqlTransaction transaction, string table, string column, CancellationToken ct)
    {
        var used = await writer.ExecuteScalarAsync<long>(new CommandDefinition(Sql.Max(table, column), transaction: transaction, cancellationToken: ct));
        if (await reader.ExecuteScalarAsync<long>(new CommandDefinition(Sql.SourceHasSequences, transaction: snapshot, cancellationToken: ct)) > 0)
        {
            used = Math.Max(used, await reader.ExecuteScalarAsync<long>(new CommandDefinition(Sql.SourceSequence, new { Table = table }, transaction: snapshot, cancellationToken: ct)));
        }

        await writer.ExecuteScalarAsync<long>(new CommandDefinition(Sql.SetSequence, new { Table = table, Column = column, Next = used + 1 }, transaction: transaction, cancellationToken: ct));
    }
}
