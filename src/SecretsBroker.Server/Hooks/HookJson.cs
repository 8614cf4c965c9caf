using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Hooks;

/// <summary>
/// A webhook's body read strictly: one JSON object, no property twice, and the few values the broker
/// uses of it typed exactly (an id is a JSON number, never a string that looks like one). Everything
/// else in the platform's payload is left unread.
/// </summary>
internal static partial class HookJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    public static Result<JsonDocument> Parse(byte[] body)
    {
        try
        {
            var document = JsonDocument.Parse(body, Options);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
            // Falls through: the parser's message may quote the body.
        }

        return BrokerError.Invalid(ErrorCodes.MalformedJson, "The body is not one JSON object with distinct property names.");
    }

    /// <summary>The string at <paramref name="path"/>, or null when it is missing or not a string.</summary>
    public static string? String(JsonElement root, params string[] path) =>
        Find(root, path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>The positive integer at <paramref name="path"/> as the id text tokens carry, or null when it is missing or not one.</summary>
    public static string? Id(JsonElement root, params string[] path) =>
        Find(root, path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var id) && id > 0
            ? id.ToString(CultureInfo.InvariantCulture)
            : null;

    /// <summary>A repository or project path (owner/name, group/subgroup/project) at <paramref name="path"/>, or null when it is not one.</summary>
    public static string? Project(JsonElement root, params string[] path) =>
        String(root, path) is { } project && ProjectPath().IsMatch(project) ? project : null;

    public static BrokerError Missing(string what) =>
        BrokerError.Invalid(ErrorCodes.InvalidHookEvent, $"The event has no valid {what}.");

    private static JsonElement? Find(JsonElement root, string[] path)
    {
        var at = root;
        foreach (var name in path)
        {
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(name, out at))
            {
                return null;
            }
        }

        return at;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+\z")]
    private static partial Regex ProjectPath();
}
