using System.Text;
using NodaTime;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// TTLs as a policy file writes them: whole numbers with units d, h, m and s, largest first, each
/// unit at most once (<c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>).
/// </summary>
public static class TtlText
{
    public const string Examples = "90s, 10m, 1h30m or 2d";

    /// <summary>The longest TTL a policy may name: a lease meant to be short-lived never needs more.</summary>
    public static readonly Duration Max = Duration.FromDays(366);

    private const string Units = "dhms";
    private const int MaxDigits = 9;

    /// <summary>Reads <paramref name="text"/>; false when it is not in the format (range is the caller's check).</summary>
    public static bool TryParse(string? text, out Duration duration)
    {
        duration = Duration.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        long seconds = 0;
        var nextUnit = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            var digits = i - start;
            if (digits == 0 || digits > MaxDigits || i == text.Length)
            {
                return false;
            }

            // Units must come largest first and once each, so "10m1h" and "1h1h" are refused, not summed.
            var unit = Units.IndexOf(text[i], nextUnit);
            if (unit < 0)
            {
                return false;
            }

            var count = long.Parse(text.AsSpan(start, digits), provider: System.Globalization.CultureInfo.InvariantCulture);
            seconds += count * UnitSeconds(unit);
            nextUnit = unit + 1;
            i++;
        }

        duration = Duration.FromSeconds(seconds);
        return true;
    }

    /// <summary>The shortest text that <see cref="TryParse"/> reads back as <paramref name="duration"/> (whole seconds).</summary>
    public static string Format(Duration duration)
    {
        var remaining = (long)duration.TotalSeconds;
        if (remaining <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        for (var unit = 0; unit < Units.Length; unit++)
        {
            var size = UnitSeconds(unit);
            if (remaining >= size)
            {
                text.Append(remaining / size).Append(Units[unit]);
                remaining %= size;
            }
        }

        return text.ToString();
    }

    private static long UnitSeconds(int unit) => unit switch
    {
        0 => 24 * 60 * 60,
        1 => 60 * 60,
        2 => 60,
        _ => 1,
    };
}
