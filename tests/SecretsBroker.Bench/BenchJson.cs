using System.Text.Json;

namespace SecretsBroker.Bench;

/// <summary>Results are JSON lines with snake_case names, the same names the final summary uses.</summary>
internal static class BenchJson
{
    public static readonly JsonSerializerOptions Lines = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The broker's answers (camelCase web JSON).</summary>
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}
