namespace SecretsBroker.Contracts.Secrets;

/// <summary>What the broker tells about a root secret: never its values.</summary>
public sealed record SecretMetadata(
    string Name,
    string Type,
    int Version,
    IReadOnlyList<string> FieldNames,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<SecretVersionInfo> Versions,
    long? RotateEverySeconds = null);

/// <summary>One stored version of a root secret.</summary>
public sealed record SecretVersionInfo(int Version, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>Answer of <c>GET /v1/secrets</c>.</summary>
public sealed record SecretList(IReadOnlyList<SecretMetadata> Secrets);
