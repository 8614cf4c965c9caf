using NodaTime;

namespace SecretsBroker.Core.Audit;

/// <summary>
/// One decision to record, before it gets its place in the chain. Reasons are codes or plain words,
/// never a secret value or token.
/// </summary>
public sealed record AuditRecord(Instant At, AuditContext Context, string Action, string Target, string Decision, string? Reason = null)
{
    /// <summary>The record of a change to many leases at once, completed with how many it touched once the store knows.</summary>
    public AuditRecord WithLeaseCount(int count) => this with { Reason = $"{Reason}; {count} leases" };
}
