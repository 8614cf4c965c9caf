using NodaTime;

namespace SecretsBroker.Storage.Shared;

/// <summary>A <c>root_secret_version</c> row's metadata as Dapper reads it (never its value).</summary>
internal sealed class SecretVersionRow
{
    public string Name { get; init; } = "";

    public int Version { get; init; }

    public Instant CreatedAt { get; init; }

    public string CreatedBy { get; init; } = "";
}
