using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>The SQL the break-glass store and the alert outbox share: the request's columns and the alert row.</summary>
internal static class BreakGlassSql
{
    public const string RequestColumns = """
        id, role, requester, requester_actor, justification, incident, ttl_seconds, state, requested_at, approve_by,
        approver, lease_id, reviewer, review_outcome, review_notes, reviewed_at
        """;

    public const string FindRequest = $"SELECT {RequestColumns} FROM break_glass_request WHERE id = @Id";

    public const string InsertAlert = """
        INSERT INTO alert (id, kind, request_id, raised_at, failures, next_attempt_at)
        VALUES (@Id, @Kind, @RequestId, @RaisedAt, @Failures, @NextAttemptAt)
        """;
}

/// <summary>A break-glass request as its row reads.</summary>
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
