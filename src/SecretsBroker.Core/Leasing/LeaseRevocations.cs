using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Ends leases at the broker when a caller asks: one lease by whoever may revoke it, or every live
/// lease of a run when the run completes. The downstream clean-up follows in the revoker's jobs.
/// </summary>
public sealed class LeaseRevocations(ILeaseStore store, LeaseLookup lookup, LeaseDenials denials, IClock clock)
{
    public async Task<Result<Lease>> RevokeAsync(LeaseCaller caller, string id, CancellationToken ct)
    {
        var found = await lookup.FindManageableAsync(caller, id, caller.MayRevoke, AuditActions.LeaseRevoke, audit: true, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        var now = clock.GetCurrentInstant();
        var record = new AuditRecord(now, caller.Audit, AuditActions.LeaseRevoke, $"lease:{id}", AuditDecision.Allowed, RevokeReasons.RevokedByCaller);
        await store.RevokeAsync(id, RevokeReasons.RevokedByCaller, now, record, ct);
        return (await store.FindAsync(id, ct))!;
    }

    /// <summary>Revokes every live lease of a run: one statement, whatever the count.</summary>
    public async Task<Result<int>> CompleteRunAsync(LeaseCaller caller, string issuer, string run, CancellationToken ct)
    {
        if (BindingValue.Check(run, "run") is { } badRun)
        {
            return badRun;
        }

        if (!caller.IsOperator && (caller.Workload is null || caller.Workload.Issuer != issuer || caller.Workload.RunId != run))
        {
            await denials.AuditAsync(caller.Audit, AuditActions.RunComplete, $"run:{run}", "run_mismatch: only the run's own token or an operator", ct);
            return new BrokerError(ErrorCodes.RunMismatch, "Only the run's own token or an operator can complete it.", ErrorKind.Forbidden);
        }

        var now = clock.GetCurrentInstant();
        var record = new AuditRecord(now, caller.Audit, AuditActions.RunComplete, $"run:{issuer}/{run}", AuditDecision.Allowed, RevokeReasons.RunCompleted);
        return await store.RevokeRunAsync(issuer, run, RevokeReasons.RunCompleted, now, record.WithLeaseCount, ct);
    }
}
