using System.Globalization;
using System.Text.Json;

namespace SecretsBroker.Cli;

/// <summary>Writes a command's answer to stdout: a JSON object under <c>--json</c>, aligned text otherwise.</summary>
internal sealed class Output(TextWriter writer, bool json)
{
    private const string ColumnGap = "  ";

    public bool IsJson { get; } = json;

    public void Json<T>(T answer) => writer.WriteLine(JsonSerializer.Serialize(answer, BrokerJson.Printed));

    public void Line(string text) => writer.WriteLine(text);

    /// <summary>Label/value lines with the values aligned.</summary>
    public void Fields(params (string Label, string Value)[] fields)
    {
        var width = fields.Max(field => field.Label.Length);
        foreach (var (label, value) in fields)
        {
            writer.WriteLine($"{label.PadRight(width)}{ColumnGap}{value}");
        }
    }

    /// <summary>A table with aligned columns; <paramref name="whenEmpty"/> is printed instead of a header with no rows.</summary>
    public void Table(string[] headers, IReadOnlyCollection<string[]> rows, string whenEmpty)
    {
        if (rows.Count == 0)
        {
            writer.WriteLine(whenEmpty);
            return;
        }

        var widths = headers.Select((header, column) => rows.Max(row => row[column].Length)).ToArray();
        for (var column = 0; column < headers.Length; column++)
        {
            widths[column] = Math.Max(widths[column], headers[column].Length);
        }

        foreach (var cells in rows.Prepend(headers))
        {
            // The last column is not padded, so lines carry no trailing spaces.
            var padded = cells.Select((cell, column) => column == cells.Length - 1 ? cell : cell.PadRight(widths[column]));
            writer.WriteLine(string.Join(ColumnGap, padded));
        }
    }

    /// <summary>A moment as ISO-8601 UTC to the second, the same in every locale.</summary>
    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A list as one whitespace-free cell, so table columns stay splittable by scripts like awk.</summary>
    public static string List(IEnumerable<string> items) => string.Join(',', items) is { Length: > 0 } joined ? joined : "-";
}
