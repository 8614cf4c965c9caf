using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Who acts on a lease: the workload that owns it (same issuer, subject and run), or an operator.
/// </summary>
public sealed record LeaseCaller(WorkloadIdentity? Workload, bool IsOperator, AuditContext Audit)
{
    public bool Owns(Lease lease) =>
        Workload is { } w && w.Issuer == lease.Issuer && w.Subject == lease.Subject && w.RunId == lease.RunId;

    public bool MayManage(Lease lease) => IsOperator || Owns(lease);
}
