using NodaTime;

namespace SecretsBroker.Core.Audit;

/// <summary>
/// One decision to record, before it gets its place in the chain. Reasons are codes or plain words,
/// never a secret value or token.
/// </summary>
public sealed record AuditRecord(Instant At, AuditContext Context, string Action, string Target, string Decision, string? Reason = null);
