using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Compromise;

/// <summary>Identities seen, mass revocations and block rules at rest.</summary>
public interface IIdentityStore
{
    /// <summary>Records (or refreshes) an identity and its claims as seen at <paramref name="now"/>.</summary>
    Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct);

    /// <summary>Identities in the order first seen; the live lease count leaves out leases past expiry at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct);

    /// <summary>
    /// In one transaction: every live lease of the revocation's target to <c>revoking</c> (one statement,
    /// marked with the revocation's id), the revocation, its block rule when it has one, and the audit event
    /// <paramref name="recordFor"/> makes of the count. Returns how many leases.
    /// </summary>
    Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>Removes the stored claim sets no live lease was issued under; returns how many.</summary>
    Task<int> PruneClaimSetsAsync(CancellationToken ct);

    Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct);

    /// <summary>Removes the block rule with its audit event; false when there was none.</summary>
    Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct);

    Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct);
}
