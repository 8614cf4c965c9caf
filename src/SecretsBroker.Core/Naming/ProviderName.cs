using System.Text.RegularExpressions;

namespace SecretsBroker.Core.Naming;

/// <summary>
/// The rule for a credential provider's name as a policy role names it (<c>jwt</c>, <c>postgres</c>):
/// a resource name without '.' and '_'.
/// </summary>
public static partial class ProviderName
{
    /// <summary>What the rule allows, to follow "the provider name" in a message.</summary>
    public static string Rule { get; } =
        $"may hold only a-z, 0-9 and '-', must start with a letter or digit, and have at most {ResourceName.MaxLength} characters";

    public static bool IsValid(string? name) => name is { Length: > 0 } && name.Length <= ResourceName.MaxLength && Pattern().IsMatch(name);

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
