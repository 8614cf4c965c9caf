using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SecretsBroker.IntegrationTests.Storage.Migration;

/// <summary>
/// Every row of every broker table, each row written as "column=value" pairs in column-name order and
/// the rows sorted, so that the two stores compare by content whatever their column order, their row
/// order and their types (SQLite's 0/1 is PostgreSQL's boolean).
/// </summary>
internal static class BrokerTables
{
    /// <summary>Each store's own migration journal, and SQLite's sequence bookkeeping.</summary>
    private static readonly string[] NotBrokerData = ["SchemaVersions", "sqlite_sequence"];

    public static async Task<SortedDictionary<string, List<string>>> ReadEmbeddedAsync(string databasePath)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        var tables = new List<string>();
        await using (var list = c.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var names = await list.ExecuteReaderAsync();
            while (await names.ReadAsync())
            {
                tables.Add(names.GetString(0));
            }
        }

        var all = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables.Except(NotBrokerData, StringComparer.OrdinalIgnoreCase))
        {
            await using var select = c.CreateCommand();
            select.CommandText = $"SELECT * FROM {table}";
            await using var rows = await select.ExecuteReaderAsync();
            all[table] = await ReadRowsAsync(rows);
        }

        return all;
    }

    public static async Task<SortedDictionary<string, List<string>>> ReadTargetAsync(string connectionString, IEnumerable<string> tables)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        var all = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT * FROM {table}", c);
            await using var rows = await select.ExecuteReaderAsync();
            all[table] = await ReadRowsAsync(rows);
        }

        return all;
    }

    /// <summary>The tables of the target's schema.</summary>
    public static async Task<List<string>> TargetTablesAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var list = new NpgsqlCommand("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1", c);
        await using var names = await list.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await names.ReadAsync())
        {
            tables.Add(names.GetString(0));
        }

        return tables;
    }

    private static async Task<List<string>> ReadRowsAsync(System.Data.Common.DbDataReader rows)
    {
        var order = Enumerable.Range(0, rows.FieldCount).OrderBy(rows.GetName, StringComparer.Ordinal).ToList();
        var all = new List<string>();
        while (await rows.ReadAsync())
        {
            all.Add(string.Join(", ", order.Select(i => $"{rows.GetName(i)}={Show(rows.GetValue(i))}")));
        }

        all.Sort(StringComparer.Ordinal);
        return all;
    }

    private static string Show(object value) => value switch
    {
        DBNull => "null",
        bool flag => flag ? "1" : "0",
        string text => "'" + text + "'",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"A value of type {value.GetType().Name} the comparison does not know."),
    };
}
