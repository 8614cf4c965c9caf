using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Storage.Shared;

/// <summary>An <c>audit_event</c> row as Dapper reads it.</summary>
internal sealed class AuditEventRow
{
    public long Seq { get; init; }

    public string Id { get; init; } = "";

    public Instant At { get; init; }

    public string Actor { get; init; } = "";

    public string Action { get; init; } = "";

    public string Target { get; init; } = "";

    public string Decision { get; init; } = "";

    public string? Reason { get; init; }

    public string? RequestId { get; init; }

    public string? RemoteAddress { get; init; }

    public string? UserAgent { get; init; }

    public string PreviousMac { get; init; } = "";

    public string Mac { get; init; } = "";

    public AuditEvent ToEvent() =>
        new(Seq, Id, At, Actor, Action, Target, Decision, Reason, RequestId, RemoteAddress, UserAgent, PreviousMac, Mac);
}
