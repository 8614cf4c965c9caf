using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Who acts on a lease: a workload, or an operator. A lease is bound to the job that leased it, so only
/// that job reads or renews it; any job of its run may revoke it (a run's last step cleans up after the
/// others). Operators read and revoke any lease. <see cref="OperatorId"/> is the id break-glass
/// compares (the person, else the token), which is the subject of the break-glass leases that operator holds.
/// </summary>
public sealed record LeaseCaller(WorkloadIdentity? Workload, bool IsOperator, AuditContext Audit, string? OperatorId = null)
{
    /// <summary>
    /// The job that leased it: same issuer, subject, run and job. Where the issuer's tokens name no job
    /// (a GitHub token without <c>check_run_id</c>), the lease has none either and the run is the finest
    /// binding there is.
    /// </summary>
    public bool Holds(Lease lease) => SharesRun(lease) && Workload!.JobId == lease.JobId;

    /// <summary>A job of the lease's run: same issuer, subject and run.</summary>
    public bool SharesRun(Lease lease) =>
        Workload is { } w && w.Issuer == lease.Issuer && w.Subject == lease.Subject && w.RunId == lease.RunId;

    public bool MayRead(Lease lease) => IsOperator || Holds(lease);

    public bool MayRevoke(Lease lease) => IsOperator || SharesRun(lease);

    /// <summary>A break-glass lease issued to this operator.</summary>
    public bool HoldsBreakGlass(Lease lease) =>
        Workload is null && OperatorId is { } id && lease.BreakGlass && lease.Issuer == BreakGlass.BreakGlassService.Issuer && lease.Subject == id;
}
