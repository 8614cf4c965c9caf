using System.CommandLine;
using System.Globalization;

namespace SecretsBroker.Cli;

/// <summary>Parses a token lifetime such as <c>30d</c>, <c>12h</c>, <c>90m</c>, <c>3600s</c> or <c>3600</c> (seconds).</summary>
internal static class TtlParser
{
    public const string Examples = "30d, 12h, 90m, 3600s or 3600";

    /// <summary>A <c>--ttl</c> option whose value is the lifetime in seconds, rejected at parse time when malformed.</summary>
    public static Option<long?> CreateOption(string description, string name = "--ttl") => new(name)
    {
        Description = description,
        HelpName = "TTL",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (TryParseSeconds(text, out var seconds))
            {
                return seconds;
            }

            result.AddError($"'{text}' is not a TTL: use {Examples}.");
            return null;
        },
    };

    public static bool TryParseSeconds(string text, out long seconds)
    {
        seconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var unit = char.IsAsciiDigit(text[^1]) ? 's' : char.ToLowerInvariant(text[^1]);
        var number = char.IsAsciiDigit(text[^1]) ? text : text[..^1];
        long multiplier = unit switch
        {
            's' => 1,
            'm' => 60,
            'h' => 60 * 60,
            'd' => 24 * 60 * 60,
            _ => 0,
        };

        // NumberStyles.None: no sign, spaces or separators, so "-5m" and "1,000" are rejected.
        if (multiplier == 0
            || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count <= 0
            || count > long.MaxValue / multiplier)
        {
            return false;
        }

        seconds = count * multiplier;
        return true;
    }
}
