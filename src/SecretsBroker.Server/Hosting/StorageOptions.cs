using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// The <c>Storage</c> configuration section: which store holds the broker's state. The embedded file
/// (the default) serves one node; a PostgreSQL database serves any number of nodes that share it.
/// Checked at start; the connection string is never logged or shown.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    public const string Embedded = "sqlite";

    public const string Shared = "postgresql";

    /// <summary><see cref="Embedded"/> (the default) or <see cref="Shared"/>.</summary>
    public string Provider { get; set; } = Embedded;

    /// <summary>The shared store's connection string (a password in it is the broker's own login).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file holding the connection string, so that it stays out of settings files and process listings.</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The schema of the broker's tables; Hangfire's go in the one named with <c>_jobs</c> after it.</summary>
    [RegularExpression(@"\A[a-z][a-z0-9_]{0,50}\z")]
    public string Schema { get; set; } = "secretsbroker";

    public bool IsShared => Provider == Shared;

    /// <summary>The connection string, read from its file when one is named.</summary>
    public string ReadConnectionString() =>
        ConnectionStringFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : ConnectionString ?? "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider is not (Embedded or Shared))
        {
            yield return new ValidationResult($"Storage:Provider must be '{Embedded}' or '{Shared}'.", [nameof(Provider)]);
        }

        var given = (string.IsNullOrEmpty(ConnectionString) ? 0 : 1) + (string.IsNullOrEmpty(ConnectionStringFile) ? 0 : 1);
        if (IsShared && given != 1)
        {
            yield return new ValidationResult("Storage:Provider 'postgresql' needs exactly one of Storage:ConnectionString and Storage:ConnectionStringFile.", [nameof(ConnectionString)]);
        }

        if (IsShared && ConnectionStringFile is { Length: > 0 } file && !File.Exists(file))
        {
            yield return new ValidationResult($"Storage:ConnectionStringFile {file} does not exist.", [nameof(ConnectionStringFile)]);
        }
    }
}
