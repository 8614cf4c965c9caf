using System.Text.RegularExpressions;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Naming;

/// <summary>
/// The pattern for what a workload declares about itself (run id, step, purpose, idempotency key):
/// wider than resource names, since CI platforms use mixed case, slashes and colons, but still
/// free of spaces, quotes and control characters.
/// </summary>
public static partial class BindingValue
{
    public const int MaxLength = 128;

    public static BrokerError? Check(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            return BrokerError.Invalid(ErrorCodes.MissingField, $"The {what} is required.");
        }

        if (value.Length > MaxLength)
        {
            return BrokerError.Invalid(ErrorCodes.NameTooLong, $"The {what} is longer than {MaxLength} characters.");
        }

        return Safe().IsMatch(value)
            ? null
            : BrokerError.Invalid(ErrorCodes.InvalidName, $"The {what} may hold only letters, digits and . _ : / @ + -, starting with a letter or digit.");
    }

    // \z, not $: $ also matches before a final newline, which would let "smoke\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Safe();
}
