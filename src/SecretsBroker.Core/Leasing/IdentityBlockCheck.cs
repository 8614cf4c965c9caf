using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Keeps leases from a blocked identity: refused before any policy decision, and looked at again
/// after a lease commits, for a block that came into force while it was being issued.
/// </summary>
public sealed class IdentityBlockCheck(IdentityGate identities, ILeaseStore store, LeaseDenials denials, IClock clock)
{
    /// <summary>403 identity_blocked, audited, when a block rule covers the caller; null otherwise.</summary>
    public async Task<BrokerError?> BlockedAsync(WorkloadIdentity who, AuditContext audit, string action, string target, CancellationToken ct)
    {
        if (await identities.BlockOfAsync(who, ct) is not { } rule)
        {
            return null;
        }

        await denials.AuditAsync(audit, action, target, $"identity_blocked: {rule.Target.RuleKey}", ct);

        // A blocked identity still trying is what the security team wants to see in "last seen".
        await identities.SeenAsync(who, clock.GetCurrentInstant(), ct);
        return new BrokerError(ErrorCodes.IdentityBlocked, "This workload identity is blocked.", ErrorKind.Forbidden);
    }

    /// <summary>
    /// A block that came into force while this lease was being issued: the revoking statement may
    /// have run before the lease committed, so the lease is revoked here and not handed out.
    /// </summary>
    /// <remarks>Runs to the end whether or not the caller is still there: a committed lease must not stay live.</remarks>
    public async Task<Result<IssuedLease>> RecheckAsync(Result<IssuedLease> issued, WorkloadIdentity who, AuditContext audit, string target)
    {
        if (await identities.CommittedBlockOfAsync(who, CancellationToken.None) is not { } rule)
        {
            return issued;
        }

        if (!issued.IsSuccess && issued.Error!.Code != ErrorCodes.LeaseNotActive)
        {
            return issued;
        }

        // Revoked while it was minted, by the block's statement: the block is the answer.
        if (!issued.IsSuccess)
        {
            return await BlockedAsync(who, audit, AuditActions.LeaseIssue, target, CancellationToken.None) ?? issued;
        }

        var now = clock.GetCurrentInstant();
        var id = issued.Value.Lease.Id;
        var record = new AuditRecord(now, audit, AuditActions.LeaseRevoke, $"lease:{id}", AuditDecision.Allowed, $"identity_blocked: {rule.Target.RuleKey}");
        await store.RevokeAsync(id, RevokeReasons.IdentityBlocked, now, record, CancellationToken.None);
        return await BlockedAsync(who, audit, AuditActions.LeaseIssue, target, CancellationToken.None) ?? issued;
    }
}
