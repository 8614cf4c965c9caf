namespace SecretsBroker.Contracts.Audit;

/// <summary>One audit event as served by <c>GET /v1/audit</c>.</summary>
public sealed record AuditEventInfo(
    long Seq,
    string Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string Target,
    string Decision,
    string? Reason,
    AuditRequestInfo Request,
    string Mac);

/// <summary>Where a request came from: no headers beyond these, never a body.</summary>
public sealed record AuditRequestInfo(string? RequestId, string? RemoteAddress, string? UserAgent);

/// <summary>A page of audit events, oldest first; pass <see cref="Next"/> as <c>after</c> for the next page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEventInfo> Events, long? Next);

/// <summary>Answer of <c>GET /v1/audit/verify</c>.</summary>
public sealed record AuditVerification(bool Intact, long Checked, long? FirstBrokenSeq, string? Problem);
