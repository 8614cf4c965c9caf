using System.Text.RegularExpressions;

namespace SecretsBroker.Core.Naming;

/// <summary>
/// The one rule for a token claim's name, wherever the broker takes one: a policy rule matches on it
/// and a revocation selects by it, so any claim a policy can match on, the security team can revoke
/// by. Wide enough for URL-style custom claims (<c>https://acme.example/team</c>), and free of quotes,
/// backslashes, spaces and control characters, since a store puts the name in a JSON path.
/// </summary>
public static partial class ClaimName
{
    public const int MaxLength = 128;

    /// <summary>What the rule allows, to follow "the claim name" in a message.</summary>
    public static string Rule { get; } = $"may hold only letters, digits, '_', '.', ':', '/' and '-', and have at most {MaxLength} characters";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.:/-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
