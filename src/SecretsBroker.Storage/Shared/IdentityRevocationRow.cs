using NodaTime;
using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Shared;

/// <summary>An <c>identity_revocation</c> row as Dapper reads it.</summary>
internal sealed class IdentityRevocationRow
{
    public string Id { get; init; } = "";

    public string Issuer { get; init; } = "";

    public string? Subject { get; init; }

    public string? ClaimName { get; init; }

    public string? ClaimValue { get; init; }

    public string Reason { get; init; } = "";

    public bool Blocked { get; init; }

    public Instant At { get; init; }

    /// <summary>The revocation with the clean-up counts of the leases it ended (<see cref="IdentitySql.Progress"/>).</summary>
    public RevocationProgress ToProgress((long Total, long Done, long Failed, long Pending) counts) => new(
        Id, new IdentityTarget(Issuer, Subject, ClaimName, ClaimValue), Reason, Blocked, At,
        counts.Total, counts.Done, counts.Failed, counts.Pending);
}
