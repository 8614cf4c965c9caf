using NodaTime;

namespace SecretsBroker.Core.Secrets;

/// <summary>What is known about a root secret without decrypting it.</summary>
public sealed record RootSecret(
    string Name,
    string Type,
    int Version,
    IReadOnlyList<string> FieldNames,
    Instant CreatedAt,
    Instant UpdatedAt,
    IReadOnlyList<RootSecretVersion> Versions)
{
    /// <summary>How often the broker rotates it, when it does.</summary>
    public Duration? RotateEvery { get; init; }
}

/// <summary>One stored version; only the newest one still has a value.</summary>
public sealed record RootSecretVersion(int Version, Instant CreatedAt, string CreatedBy);

/// <summary>A new version ready to store: the fields are already ciphertext.</summary>
public sealed record SealedSecretVersion(string Name, string Type, int Version, IReadOnlyList<string> FieldNames, string Ciphertext, Instant CreatedAt, string CreatedBy)
{
    public string? PublicPart { get; init; }

    public Duration? RotateEvery { get; init; }
}

/// <summary>A version written by a rotation and not yet made current.</summary>
public sealed record PendingSecretVersion(string Name, string Type, int Version, string Ciphertext);

/// <summary>The public part of one version of a secret, and when a newer version replaced it (null while current).</summary>
public sealed record PublicSecretPart(string Name, int Version, string PublicPart, Instant CreatedAt, Instant? ReplacedAt);
