using NodaTime;
using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Shared;

/// <summary>An <c>identity_block</c> row as Dapper reads it.</summary>
internal sealed class BlockRuleRow
{
    public string Issuer { get; init; } = "";

    public string? Subject { get; init; }

    public string? ClaimName { get; init; }

    public string? ClaimValue { get; init; }

    public string Reason { get; init; } = "";

    public string? RevocationId { get; init; }

    public Instant At { get; init; }

    public BlockRule ToRule() => new(new IdentityTarget(Issuer, Subject, ClaimName, ClaimValue), Reason, RevocationId, At);
}
