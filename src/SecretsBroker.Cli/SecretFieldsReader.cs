using System.Text.Json;

namespace SecretsBroker.Cli;

/// <summary>Reads a secret's fields from a JSON object such as <c>{"host": "db", "port": 5432}</c>.</summary>
/// <remarks>
/// Error messages name fields and lines but never quote the input: it holds secret values, and
/// System.Text.Json's own messages can quote the offending character.
/// </remarks>
internal static class SecretFieldsReader
{
    /// <summary>Reads the fields from <paramref name="file"/>, or from stdin when it is null or <c>-</c>.</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(string? file, TextReader stdin, CancellationToken cancellationToken)
    {
        if (file is null or "-")
        {
            return Parse(await stdin.ReadToEndAsync(cancellationToken));
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage("fields_unreadable", $"cannot read the fields file: {e.Message}");
        }

        return Parse(text);
    }

    private static Dictionary<string, string> Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return ToFields(document.RootElement);
        }
        catch (JsonException e)
        {
            throw Invalid($"the fields are not valid JSON (line {(e.LineNumber ?? 0) + 1})");
        }
    }

    private static Dictionary<string, string> ToFields(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("the fields must be a JSON object of names to values");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in root.EnumerateObject())
        {
            // Numbers and booleans are accepted as written ("port": 5432); the broker stores every field as text.
            var value = field.Value.ValueKind switch
            {
                JsonValueKind.String => field.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => field.Value.GetRawText(),
                _ => throw Invalid($"field '{field.Name}' must be a string, number or boolean"),
            };
            if (!fields.TryAdd(field.Name, value))
            {
                throw Invalid($"field '{field.Name}' appears twice");
            }
        }

        return fields;
    }

    private static CommandFailedException Invalid(string message) => CommandFailedException.Usage("invalid_fields", message);
}
