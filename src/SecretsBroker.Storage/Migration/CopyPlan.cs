using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace SecretsBroker.Storage.Migration;

/// <summary>
/// Which tables the move copies, read from both schemas rather than listed by hand: every table of the
/// embedded store is copied, so a table a later migration adds is copied too, and the move stops when a
/// table or column on one side has no place on the other instead of leaving its rows behind. Parents come
/// before the tables whose foreign keys point at them.
/// </summary>
internal static partial class CopyPlan
{
    /// <summary>The embedded store's own bookkeeping: each store keeps its migration journal, and SQLite's sequences become the target's identity sequences.</summary>
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase) { "SchemaVersions", "sqlite_sequence" };

    /// <summary>Tables only the target has: its migration journal, and the record of where its data came from.</summary>
    public static readonly IReadOnlySet<string> TargetOnly = new HashSet<string>(StringComparer.Ordinal) { "schemaversions", StoreOriginTable };

    public const string StoreOriginTable = "store_origin";

    private static class Sql
    {
        public const string SourceTables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

        public const string SourceColumns = "SELECT name FROM pragma_table_info(@Table)";

        public const string TargetColumns = """
            SELECT table_name::text AS "Table", column_name::text AS "Column", data_type::text AS "Type",
                   is_identity::text = 'YES' AS "IsIdentity", (is_nullable::text = 'YES' OR column_default IS NOT NULL) AS "HasDefault"
            FROM information_schema.columns c
            WHERE table_schema = current_schema()
              AND EXISTS (SELECT 1 FROM information_schema.tables t WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')
            ORDER BY table_name, ordinal_position
            """;

        public const string TargetForeignKeys = """
            SELECT child.relname::text AS "Child", parent.relname::text AS "Parent"
            FROM pg_constraint k
            JOIN pg_class child ON child.oid = k.conrelid
            JOIN pg_class parent ON parent.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace
            """;
    }

    internal sealed record TargetColumn(string Table, string Column, string Type, bool IsIdentity, bool HasDefault);

    internal sealed record ForeignKey(string Child, string Parent);

    public static async Task<IReadOnlyList<CopiedTable>> ReadAsync(SqliteConnection source, NpgsqlConnection target, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var sourceTables = (await source.QueryAsync<string>(new CommandDefinition(Sql.SourceTables, cancellationToken: ct)))
            .Where(t => !NotCopied.Contains(t))
            .ToList();
        var targetColumns = (await target.QueryAsync<TargetColumn>(new CommandDefinition(Sql.TargetColumns, transaction: transaction, cancellationToken: ct)))
            .GroupBy(c => c.Table, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        foreach (var table in sourceTables.Where(t => !targetColumns.ContainsKey(t)))
        {
            throw new StoreMoveRefusedException($"The embedded store's table {table} has no counterpart in the target schema; nothing was copied.");
        }

        foreach (var table in targetColumns.Keys.Where(t => !TargetOnly.Contains(t) && !sourceTables.Contains(t, StringComparer.Ordinal)))
        {
            throw new StoreMoveRefusedException($"The target schema's table {table} has no counterpart in the embedded store, so the copy cannot fill it; nothing was copied.");
        }

        var tables = new List<CopiedTable>();
        foreach (var table in sourceTables)
        {
            var sourceColumns = (await source.QueryAsync<string>(new CommandDefinition(Sql.SourceColumns, new { Table = table }, cancellationToken: ct))).ToList();
            tables.Add(Match(table, sourceColumns, targetColumns[table]));
        }

        var foreignKeys = await target.QueryAsync<ForeignKey>(new CommandDefinition(Sql.TargetForeignKeys, transaction: transaction, cancellationToken: ct));
        return ParentsFirst(tables, foreignKeys.ToList());
    }

    private static CopiedTable Match(string table, IReadOnlyList<string> sourceColumns, IReadOnlyList<TargetColumn> targetColumns)
    {
        RequirePlain(table);
        var byName = targetColumns.ToDictionary(c => c.Column, StringComparer.Ordinal);
        var columns = new List<CopiedColumn>();
        foreach (var name in sourceColumns)
        {
            RequirePlain(name);
            if (!byName.TryGetValue(name, out var column))
            {
                throw new StoreMoveRefusedException($"The embedded store's column {table}.{name} has no counterpart in the target schema; nothing was copied.");
            }

            columns.Add(new CopiedColumn(name, TypeOf(table, column)));
        }

        // A column only the target has is left to its default (or null): no value of the embedded store is lost by it.
        foreach (var missing in targetColumns.Where(c => !sourceColumns.Contains(c.Column, StringComparer.Ordinal) && !c.HasDefault))
        {
            throw new StoreMoveRefusedException($"The target schema's column {table}.{missing.Column} has no counterpart in the embedded store and no default; nothing was copied.");
        }

        var identity = targetColumns.SingleOrDefault(c => c.IsIdentity)?.Column;
        return new CopiedTable(table, columns, identity);
    }

    private static NpgsqlDbType TypeOf(string table, TargetColumn column) => column.Type switch
    {
        "text" => NpgsqlDbType.Text,
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "boolean" => NpgsqlDbType.Boolean,
        _ => throw new StoreMoveRefusedException($"The target schema's column {table}.{column.Column} is of type {column.Type}, which the copy does not convert; nothing was copied."),
    };

    private static List<CopiedTable> ParentsFirst(List<CopiedTable> tables, List<ForeignKey> foreignKeys)
    {
        var ordered = new List<CopiedTable>();
        var pending = tables.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(t => !foreignKeys.Any(k => k.Child == t.Name && k.Parent != t.Name && pending.Any(p => p.Name == k.Parent)))
                ?? throw new StoreMoveRefusedException("The target schema's foreign keys form a cycle; the copy cannot order its tables.");
            ordered.Add(ready);
            pending.Remove(ready);
        }

        return ordered;
    }

    /// <summary>Table and column names are written into the copy's SQL, so they are held to plain identifiers that need no quoting.</summary>
    private static void RequirePlain(string name)
    {
        if (!PlainIdentifier().IsMatch(name))
        {
            throw new StoreMoveRefusedException($"The embedded store has a table or column named {name}, which is not a plain lower-case identifier; nothing was copied.");
        }
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
