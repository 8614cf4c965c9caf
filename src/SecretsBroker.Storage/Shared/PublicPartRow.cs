using NodaTime;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Shared;

/// <summary>A version's public part with when the next version replaced it, as Dapper reads it.</summary>
internal sealed class PublicPartRow
{
    public string Name { get; init; } = "";

    public int Version { get; init; }

    public string PublicPart { get; init; } = "";

    public Instant CreatedAt { get; init; }

    public Instant? ReplacedAt { get; init; }

    public PublicSecretPart ToPart() => new(Name, Version, PublicPart, CreatedAt, ReplacedAt);
}
