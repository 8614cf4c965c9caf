namespace SecretsBroker.Core.Policy;

/// <summary>
/// The patterns a policy matches claims, steps and purposes with: <c>*</c> stands for any run of
/// characters (none included), <c>?</c> for exactly one; everything else is literal, compared
/// ordinally and case-sensitively. A pattern without wildcards is an exact match.
/// </summary>
public static class GlobPattern
{
    public const int MaxLength = 256;

    /// <summary>
    /// Characters other glob dialects give a meaning (classes, alternatives, escapes). Refused rather
    /// than taken literally, so "refs/heads/[a-z]*" cannot silently match nothing the author meant.
    /// </summary>
    private const string Unsupported = "[]{}\\";

    /// <summary>Why <paramref name="pattern"/> cannot be used, or null when it can.</summary>
    public static string? Check(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Length == 0)
        {
            return "must not be empty";
        }

        if (pattern.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        foreach (var c in pattern)
        {
            if (char.IsControl(c))
            {
                return "must not hold control characters";
            }

            if (Unsupported.Contains(c, StringComparison.Ordinal))
            {
                return $"uses '{c}', which is not supported: the only wildcards are * and ?";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="value"/> matches <paramref name="pattern"/>. Iterative, with one resume
    /// point (the last '*'), so the cost is at most pattern length times value length: no input can
    /// make it backtrack exponentially, as a regular expression built from the pattern could.
    /// </summary>
    public static bool IsMatch(string pattern, string value)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(value);
        int p = 0, v = 0, star = -1, resumeAt = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == value[v])))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resumeAt = v;
            }
            else if (star >= 0)
            {
                // Let the last '*' swallow one more character and retry the rest from there.
                p = star + 1;
                v = ++resumeAt;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
