using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Who acts on a lease: the workload that owns it (same issuer, subject and run), or an operator.
/// <see cref="OperatorId"/> is the id break-glass compares (the person, else the token), which is the
/// subject of the break-glass leases that operator holds.
/// </summary>
public sealed record LeaseCaller(WorkloadIdentity? Workload, bool IsOperator, AuditContext Audit, string? OperatorId = null)
{
    /// <summary>A break-glass lease issued to this operator.</summary>
    public bool HoldsBreakGlass(Lease lease) =>
        Workload is null && OperatorId is { } id && lease.BreakGlass && lease.Issuer == BreakGlass.BreakGlassService.Issuer && lease.Subject == id;

    public bool Owns(Lease lease) =>
        Workload is { } w && w.Issuer == lease.Issuer && w.Subject == lease.Subject && w.RunId == lease.RunId;

    public bool MayManage(Lease lease) => IsOperator || Owns(lease);
}
