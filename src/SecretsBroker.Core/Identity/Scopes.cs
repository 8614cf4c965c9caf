namespace SecretsBroker.Core.Identity;

/// <summary>
/// What an operator token may do. <c>admin</c> manages secrets and tokens and includes the others;
/// <c>security</c> reads and verifies the audit trail and responds to incidents; <c>operator</c>
/// is for people using the broker day to day (break-glass, inventory).
/// </summary>
public static class Scopes
{
    public const string Admin = "admin";
    public const string Security = "security";
    public const string Operator = "operator";

    public static IReadOnlyList<string> All { get; } = [Admin, Security, Operator];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);

    /// <summary>True when a holder of <paramref name="held"/> may call an endpoint that needs <paramref name="required"/>.</summary>
    public static bool Grants(IEnumerable<string> held, string required) =>
        held.Any(s => s == required || s == Admin);
}
