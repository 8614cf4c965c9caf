using System.Text;

namespace SecretsBroker.Cli;

/// <summary>
/// Variable names and quoted values for <c>sbctl lease</c>'s env and dotenv output. Pure functions;
/// null means "cannot be written safely", and the caller fails rather than print a wrong credential.
/// </summary>
internal static class EnvQuoting
{
    public const string Prefix = "SB_";

    /// <summary>
    /// <c>SB_</c> and the key in UPPER_SNAKE: camelCase humps and every run of characters other than
    /// ASCII letters and digits become one '_' (<c>token_type</c>, <c>tokenType</c> and <c>token-type</c>
    /// all give <c>SB_TOKEN_TYPE</c>). Null when the key has no ASCII letter or digit.
    /// </summary>
    public static string? VariableName(string key)
    {
        var name = new StringBuilder(Prefix);
        var pendingSeparator = false;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (!char.IsAsciiLetterOrDigit(c))
            {
                pendingSeparator = true;
                continue;
            }

            var hump = char.IsAsciiLetterUpper(c) && i > 0 && (char.IsAsciiLetterLower(key[i - 1]) || char.IsAsciiDigit(key[i - 1]));
            if ((pendingSeparator || hump) && name.Length > Prefix.Length)
            {
                name.Append('_');
            }

            pendingSeparator = false;
            name.Append(char.ToUpperInvariant(c));
        }

        return name.Length > Prefix.Length ? name.ToString() : null;
    }

    /// <summary>
    /// A POSIX shell word that evaluates to exactly <paramref name="value"/>: always single-quoted, each
    /// embedded <c>'</c> written as <c>'\''</c>. Nothing inside single quotes is expanded, newlines included.
    /// Null for a value holding NUL, which no shell string or environment variable can carry.
    /// </summary>
    public static string? Shell(string value) =>
        value.Contains('\0', StringComparison.Ordinal) ? null : $"'{value.Replace("'", @"'\''", StringComparison.Ordinal)}'";

    /// <summary>
    /// A dotenv value read back as exactly <paramref name="value"/> by the common dotenv parsers (Node
    /// dotenv, python-dotenv, godotenv and Docker Compose, Ruby dotenv), which disagree on escapes and
    /// on <c>$</c>. The first form that fits is used:
    /// <list type="number">
    /// <item>empty: nothing after '=';</item>
    /// <item>only ASCII letters, digits and <c>_ - . , : / @ % + =</c>: bare (also right for
    /// <c>docker --env-file</c> and <c>$GITHUB_ENV</c>, which take the rest of the line literally);</item>
    /// <item>no <c>'</c>, <c>\</c>, CR, LF or other control character except tab: single-quoted, literal
    /// everywhere (python-dotenv would unescape <c>\\</c> and <c>\'</c>, hence no backslash);</item>
    /// <item>otherwise, with no <c>"</c>, <c>\</c>, <c>$</c> or other control character except tab:
    /// double-quoted with LF as <c>\n</c> and CR as <c>\r</c>, the only escapes all of them decode;</item>
    /// <item>anything else: null.</item>
    /// </list>
    /// </summary>
    public static string? Dotenv(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (value.All(IsBare))
        {
            return value;
        }

        if (value.Any(c => char.IsControl(c) && c is not ('\t' or '\r' or '\n')))
        {
            return null;
        }

        if (!value.Any(c => c is '\'' or '\\' or '\r' or '\n'))
        {
            return $"'{value}'";
        }

        if (!value.Any(c => c is '"' or '\\' or '$'))
        {
            return $"\"{value.Replace("\r", @"\r", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal)}\"";
        }

        return null;
    }

    private static bool IsBare(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ',' or ':' or '/' or '@' or '%' or '+' or '=';
}
