using NodaTime;

namespace SecretsBroker.Core.Audit;

/// <summary>
/// An audit record in its place in the chain: <see cref="Mac"/> covers every field and
/// <see cref="PreviousMac"/>, so changing, removing or reordering events breaks the chain.
/// </summary>
public sealed record AuditEvent(
    long Seq,
    string Id,
    Instant At,
    string Actor,
    string Action,
    string Target,
    string Decision,
    string? Reason,
    string? RequestId,
    string? RemoteAddress,
    string? UserAgent,
    string PreviousMac,
    string Mac);
