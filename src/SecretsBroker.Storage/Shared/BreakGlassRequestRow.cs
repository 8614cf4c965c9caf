using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Shared;

/// <summary>A <c>break_glass_request</c> row as Dapper reads it.</summary>
internal sealed class BreakGlassRequestRow
{
    public string Id { get; init; } = "";

    public string Role { get; init; } = "";

    public string Requester { get; init; } = "";

    public string RequesterActor { get; init; } = "";

    public string Justification { get; init; } = "";

    public string Incident { get; init; } = "";

    public long TtlSeconds { get; init; }

    public string State { get; init; } = "";

    public Instant RequestedAt { get; init; }

    public Instant ApproveBy { get; init; }

    public string? Approver { get; init; }

    public string? LeaseId { get; init; }

    public string? Reviewer { get; init; }

    public string? ReviewOutcome { get; init; }

    public string? ReviewNotes { get; init; }

    public Instant? ReviewedAt { get; init; }

    public BreakGlassRequest ToRequest() => new(
        Id, Role, Requester, RequesterActor, Justification, Incident, TtlSeconds, State, RequestedAt, ApproveBy,
        Approver, LeaseId, Reviewer, ReviewOutcome, ReviewNotes, ReviewedAt);
}
