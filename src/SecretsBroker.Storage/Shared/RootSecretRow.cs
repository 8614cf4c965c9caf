using NodaTime;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Shared;

/// <summary>A <c>root_secret</c> row as Dapper reads it.</summary>
internal sealed class RootSecretRow
{
    public string Name { get; init; } = "";

    public string Type { get; init; } = "";

    public int CurrentVersion { get; init; }

    public string FieldNames { get; init; } = "";

    public Instant CreatedAt { get; init; }

    public Instant UpdatedAt { get; init; }

    public long? RotateEverySeconds { get; init; }

    public RootSecret ToSecret(IEnumerable<SecretVersionRow> versions) => new(
        Name,
        Type,
        CurrentVersion,
        FieldNames.Split(',', StringSplitOptions.RemoveEmptyEntries),
        CreatedAt,
        UpdatedAt,
        versions.Select(v => new RootSecretVersion(v.Version, v.CreatedAt, v.CreatedBy)).ToList())
    {
        RotateEvery = RotateEverySeconds is { } s ? Duration.FromSeconds(s) : null,
    };
}
