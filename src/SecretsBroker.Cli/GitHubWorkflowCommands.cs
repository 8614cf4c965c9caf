using System.Security.Cryptography;

namespace SecretsBroker.Cli;

/// <summary>
/// What a GitHub Actions runner reads from a step: <c>::add-mask::</c> workflow commands on stdout and
/// <c>NAME&lt;&lt;DELIMITER</c> entries in the <c>$GITHUB_ENV</c> file. Pure functions, written to match
/// <c>@actions/core</c> (<c>setSecret</c>, <c>exportVariable</c>) and the runner's parsers.
/// </summary>
internal static class GitHubWorkflowCommands
{
    public const string EnvFileVariable = "GITHUB_ENV";

    private const string DelimiterPrefix = "ghadelimiter_";

    /// <summary>
    /// A command's data escaped as <c>@actions/core</c> does: <c>%</c>, CR and LF as <c>%25</c>, <c>%0D</c>,
    /// <c>%0A</c>, which the runner decodes. A value therefore always stays on its command's one line.
    /// </summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>
    /// The <c>::add-mask::</c> lines for <paramref name="secret"/>: the whole value and, when it spans lines,
    /// each of its lines too, since the runner masks the log line by line. Blank values and lines are left
    /// out (the runner refuses to mask them, and they give nothing away).
    /// </summary>
    public static IEnumerable<string> AddMask(string secret)
    {
        var parts = new List<string> { secret };
        parts.AddRange(secret.Split(["\r\n", "\n", "\r"], StringSplitOptions.None));
        return parts
            .Where(part => !string.IsNullOrWhiteSpace(part))
            .Distinct(StringComparer.Ordinal)
            .Select(part => "::add-mask::" + EscapeData(part));
    }

    /// <summary>
    /// One <c>$GITHUB_ENV</c> entry, <c>NAME&lt;&lt;DELIMITER\nvalue\nDELIMITER\n</c>, with a delimiter drawn
    /// afresh until it occurs nowhere in the value. The runner ends the value at the first line equal to the
    /// delimiter, so no value (newlines, <c>NAME=…</c> lines or delimiter-like text included) can end it
    /// early or start another variable.
    /// </summary>
    public static string EnvFileEntry(string name, string value)
    {
        string delimiter;
        do
        {
            delimiter = DelimiterPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }
        while (value.Contains(delimiter, StringComparison.Ordinal));

        return $"{name}<<{delimiter}\n{value}\n{delimiter}\n";
    }
}
