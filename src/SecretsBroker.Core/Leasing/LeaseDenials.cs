using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// A refused lease request: recorded in the audit trail with the reason the caller is not told, and
/// answered with the same error wherever the policy refused it.
/// </summary>
public sealed class LeaseDenials(IAuditStore auditTrail, IClock clock)
{
    public static BrokerError PolicyDenied() =>
        new(ErrorCodes.PolicyDenied, "The policy does not allow this lease.", ErrorKind.Forbidden);

    public Task AuditAsync(AuditContext audit, string action, string target, string reason, CancellationToken ct) =>
        auditTrail.AppendAsync(new AuditRecord(clock.GetCurrentInstant(), audit, action, target, AuditDecision.Denied, reason), ct);
}
