using System.Reflection;
using System.Text.Json.Nodes;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.OpenApi;

/// <summary>The stable error codes, read from <see cref="ErrorCodes"/> itself so the document cannot fall behind it.</summary>
internal static class ErrorCodeSchema
{
    internal const string SchemaId = "ErrorCode";

    internal static IReadOnlyList<string> Codes { get; } = typeof(ErrorCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToList();

    internal static List<JsonNode> AsEnum() => Codes.Select(c => (JsonNode)JsonValue.Create(c)).ToList();
}
