using NodaTime;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Server.Leases;

/// <summary>Maps leases to their contract shape. The deciding rule stays in the audit trail, not in answers.</summary>
internal static class LeaseContracts
{
    public static LeaseInfo ToContract(this Lease lease, Instant now) => new(
        lease.Id,
        lease.Role,
        lease.EffectiveStateAt(now),
        lease.RunId,
        lease.JobId,
        lease.Step,
        lease.Purpose,
        lease.IssuedAt.ToDateTimeOffset(),
        lease.ExpiresAt.ToDateTimeOffset(),
        lease.MaxExpiresAt.ToDateTimeOffset(),
        lease.Renewable,
        lease.RevokeReason,
        lease.BreakGlass);

    public static IssuedLeaseResponse ToContract(this IssuedLease issued, Instant now) =>
        new(issued.Lease.ToContract(now), issued.Credential, issued.Replayed);
}
