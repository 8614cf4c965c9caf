using System.Text.RegularExpressions;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// A schema name the broker accepts: it is written into SQL (search path, Hangfire's schema), so it is
/// held to a plain identifier that needs no quoting rather than escaped.
/// </summary>
internal static partial class SchemaName
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex(@"\A[a-z][a-z0-9_]{0,50}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
