using System.Text.RegularExpressions;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Naming;

/// <summary>
/// The one pattern for names an operator chooses (secrets, tokens, fields): lower-case letters,
/// digits, '.', '_' and '-', starting with a letter or digit. Safe in URLs, logs and SQL identifiers.
/// </summary>
public static partial class ResourceName
{
    public const int MaxLength = 63;

    public static BrokerError? Check(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidName, $"The {what} must not be empty.");
        }

        if (value.Length > MaxLength)
        {
            return BrokerError.Invalid(ErrorCodes.NameTooLong, $"The {what} is longer than {MaxLength} characters.");
        }

        return SafeName().IsMatch(value)
            ? null
            : BrokerError.Invalid(ErrorCodes.InvalidName, $"The {what} may hold only a-z, 0-9, '.', '_' and '-', and must start with a letter or digit.");
    }

    // \z, not $: $ also matches before a final newline, which would let "name\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();
}
