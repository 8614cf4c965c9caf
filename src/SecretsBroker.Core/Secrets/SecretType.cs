using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Secrets;

/// <summary>A kind of root secret and the fields it must carry. Every field value is encrypted.</summary>
public sealed record SecretType(string Name, IReadOnlySet<string> Required, IReadOnlySet<string> Optional, bool AllowsOtherFields)
{
    /// <summary>A check of the values themselves, after the field checks (e.g. a key must parse).</summary>
    public Func<IReadOnlyDictionary<string, string>, BrokerError?>? CheckValues { get; init; }

    /// <summary>The part of the value that may be published and must outlive it (a public key), or none.</summary>
    public Func<IReadOnlyDictionary<string, string>, string>? PublicPart { get; init; }

    public const int MaxFields = 32;
    public const int MaxValueLength = 16 * 1024;

    public static readonly SecretType PostgresqlAdmin = new(
        "postgresql-admin",
        new HashSet<string>(StringComparer.Ordinal) { "host", "port", "database", "username", "password" },
        new HashSet<string>(StringComparer.Ordinal) { "sslmode" },
        AllowsOtherFields: false);

    public static readonly SecretType Generic = new(
        "generic",
        new HashSet<string>(StringComparer.Ordinal),
        new HashSet<string>(StringComparer.Ordinal),
        AllowsOtherFields: true);

    public static readonly SecretType Es256SigningKey = new(
        "es256-signing-key",
        new HashSet<string>(StringComparer.Ordinal) { SigningKeyPem.Field },
        new HashSet<string>(StringComparer.Ordinal),
        AllowsOtherFields: false)
    {
        CheckValues = SigningKeyPem.Check,
        PublicPart = SigningKeyPem.PublicJwk,
    };

    public static IReadOnlyList<SecretType> All { get; } = [PostgresqlAdmin, Generic, Es256SigningKey];

    public static Result<SecretType> Find(string? name) =>
        All.FirstOrDefault(t => t.Name == name) is { } type
            ? type
            : BrokerError.Invalid(ErrorCodes.UnknownSecretType, $"Unknown secret type; known types: {string.Join(", ", All.Select(t => t.Name))}.");

    /// <summary>Checks field names and sizes; error messages name fields, never values.</summary>
    public BrokerError? Check(IReadOnlyDictionary<string, string>? fields)
    {
        if (fields is null || fields.Count == 0)
        {
            return BrokerError.Invalid(ErrorCodes.MissingField, "At least one field is required.");
        }

        if (fields.Count > MaxFields)
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, $"At most {MaxFields} fields are allowed.");
        }

        foreach (var (field, value) in fields)
        {
            if (ResourceName.Check(field, "field name") is { } badName)
            {
                return badName;
            }

            if (!AllowsOtherFields && !Required.Contains(field) && !Optional.Contains(field))
            {
                return BrokerError.Invalid(ErrorCodes.UnknownField, $"Field '{field}' is not part of type {Name}.");
            }

            if (string.IsNullOrEmpty(value) || value.Length > MaxValueLength)
            {
                return BrokerError.Invalid(ErrorCodes.InvalidField, $"Field '{field}' must hold 1 to {MaxValueLength} characters.");
            }
        }

        if (Required.FirstOrDefault(r => !fields.ContainsKey(r)) is { } missing)
        {
            return BrokerError.Invalid(ErrorCodes.MissingField, $"Field '{missing}' is required for type {Name}.");
        }

        if (this == PostgresqlAdmin && !(int.TryParse(fields["port"], out var port) && port is > 0 and < 65536))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidField, "Field 'port' must be a number from 1 to 65535.");
        }

        return CheckValues?.Invoke(fields);
    }
}
