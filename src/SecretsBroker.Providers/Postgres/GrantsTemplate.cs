using System.Text.RegularExpressions;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// The role setting <c>grants</c>: SQL the operator writes in the policy, run after the role is
/// created, in the same transaction. Only <c>{{role}}</c>, <c>{{database}}</c> and <c>{{schema}}</c>
/// (the role setting <c>schema</c>) may appear, each replaced by a quoted identifier; anything else in
/// double braces refuses the mint before anything is created.
/// </summary>
public static partial class GrantsTemplate
{
    public const string Setting = "grants";
    public const string SchemaSetting = "schema";

    public static Result<string> Expand(string? template, string role, string database, string? schema)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return "";
        }

        foreach (Match match in Placeholder().Matches(template))
        {
            var name = match.Groups[1].Value;
            if (name is not ("role" or "database" or "schema"))
            {
                return Refused($"placeholder '{{{{{name}}}}}' is not one of {{{{role}}}}, {{{{database}}}}, {{{{schema}}}}");
            }

            if (name == "schema" && string.IsNullOrEmpty(schema))
            {
                return Refused($"it uses {{{{schema}}}} but the role has no '{SchemaSetting}' setting");
            }
        }

        var rest = Placeholder().Replace(template, "");
        if (rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal))
        {
            return Refused("it holds double braces that are not a placeholder");
        }

        try
        {
            return Placeholder().Replace(template, m => m.Groups[1].Value switch
            {
                "role" => PostgresIdentifier.Quote(role),
                "database" => PostgresIdentifier.Quote(database),
                _ => PostgresIdentifier.Quote(schema!),
            });
        }
        catch (ArgumentException)
        {
            return Refused("a name it would insert is not a valid PostgreSQL identifier");
        }
    }

    private static BrokerError Refused(string why) =>
        BrokerError.Invalid(ErrorCodes.InvalidField, $"The role's '{Setting}' setting cannot be used: {why}.");

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
