using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Finds a lease for a caller allowed to act on it. Anyone else gets the same answer as for a lease
/// that does not exist: a workload learns nothing about others' leases.
/// </summary>
public sealed class LeaseLookup(ILeaseStore store, LeaseDenials denials)
{
    public async Task<Result<Lease>> GetAsync(LeaseCaller caller, string id, CancellationToken ct)
    {
        var found = await FindManageableAsync(caller, id, caller.MayRead, AuditActions.LeaseIssue, audit: false, ct);
        return found;
    }

    /// <summary>The lease when <paramref name="allowed"/> says the caller may act on it; with <paramref name="audit"/>, a refusal is audited as <paramref name="action"/>.</summary>
    public async Task<Result<Lease>> FindManageableAsync(LeaseCaller caller, string id, Func<Lease, bool> allowed, string action, bool audit, CancellationToken ct)
    {
        if (!LeaseId.LooksValid(id) || await store.FindAsync(id, ct) is not { } lease)
        {
            return BrokerError.NotFound(ErrorCodes.LeaseNotFound, "No such lease.");
        }

        if (allowed(lease))
        {
            return lease;
        }

        if (audit)
        {
            await denials.AuditAsync(caller.Audit, action, $"lease:{id}", "not_lease_owner", ct);
        }

        // The same answer as for a missing lease: a workload learns nothing about others' leases.
        return BrokerError.NotFound(ErrorCodes.LeaseNotFound, "No such lease.");
    }
}
