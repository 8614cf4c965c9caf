namespace SecretsBroker.Storage.Shared;

/// <summary>
/// The break-glass statements SQLite and PostgreSQL run unchanged, shared by the break-glass stores and
/// the alert outboxes. Every state change is conditional on the state it leaves, so of two racing
/// calls (on one node or two) exactly one changes the row and the other answers false.
/// </summary>
internal static class BreakGlassSql
{
    public const string RequestColumns = """
        id, role, requester, requester_actor, justification, incident, ttl_seconds, state, requested_at, approve_by,
        approver, lease_id, reviewer, review_outcome, review_notes, reviewed_at
        """;

    public const string FindRequest = $"SELECT {RequestColumns} FROM break_glass_request WHERE id = @Id";

    public const string InsertRequest = """
        INSERT INTO break_glass_request (id, role, requester, requester_actor, justification, incident, ttl_seconds, state, requested_at, approve_by, approved_at)
        VALUES (@Id, @Role, @Requester, @RequesterActor, @Justification, @Incident, @TtlSeconds, @State, @RequestedAt, @ApproveBy,
                CASE WHEN @State = 'approved' THEN @RequestedAt END)
        """;

    public const string Approve = """
        UPDATE break_glass_request SET state = 'approved', approver = @Approver, approved_at = @Now
        WHERE id = @Id AND state = 'pending' AND approve_by > @Now AND requester <> @Approver
        """;

    public const string MarkIssued = """
        UPDATE break_glass_request SET state = CASE WHEN @LeaseId IS NULL THEN 'failed' ELSE 'issued' END, lease_id = @LeaseId
        WHERE id = @Id AND (state = 'approved' OR (state = 'failed' AND @LeaseId IS NOT NULL))
        """;

    public const string MarkCollected = """
        UPDATE break_glass_request SET collected_at = @Now
        WHERE id = @Id AND state = 'issued' AND approver IS NOT NULL AND collected_at IS NULL
        """;

    // "approver IS NULL OR": a request that needed no approval has no approver, and NULL <> x is not true.
    public const string Review = """
        UPDATE break_glass_request SET reviewer = @Reviewer, review_outcome = @Outcome, review_notes = @Notes, reviewed_at = @Now
        WHERE id = @Id AND state = 'issued' AND reviewed_at IS NULL AND requester <> @Reviewer AND (approver IS NULL OR approver <> @Reviewer)
        """;

    // Keyset paging, newest first: (requested_at, id) orders every request, even two in the same millisecond.
    private const string AfterCursor = "(@After IS NULL OR (requested_at, id) < (SELECT requested_at, id FROM break_glass_request WHERE id = @After))";

    public const string ListAll = $"SELECT {RequestColumns} FROM break_glass_request WHERE {AfterCursor} ORDER BY requested_at DESC, id DESC LIMIT @Limit";

    // Both counted through the partial indexes on pending and on unreviewed requests.
    public const string CountBacklog = """
        SELECT (SELECT COUNT(*) FROM break_glass_request WHERE state = 'pending' AND approve_by > @Now),
               (SELECT COUNT(*) FROM break_glass_request WHERE state = 'issued' AND reviewed_at IS NULL)
        """;

    public const string ListUnreviewed = $"""
        SELECT {RequestColumns} FROM break_glass_request WHERE state = 'issued' AND reviewed_at IS NULL AND {AfterCursor}
        ORDER BY requested_at DESC, id DESC LIMIT @Limit
        """;

    private const string AwaitingReminder = "state = 'issued' AND reviewed_at IS NULL AND (reminded_at IS NULL OR reminded_at <= @RemindedBefore)";

    public const string DueReminders = $"""
        SELECT {RequestColumns} FROM break_glass_request
        WHERE {AwaitingReminder} AND requested_at <= @RequestedBefore
        ORDER BY requested_at LIMIT @Batch
        """;

    public const string MarkReminded = $"UPDATE break_glass_request SET reminded_at = @Now WHERE id = @Id AND {AwaitingReminder}";

    public const string InsertAlert = """
        INSERT INTO alert (id, kind, request_id, raised_at, failures, next_attempt_at)
        VALUES (@Id, @Kind, @RequestId, @RaisedAt, @Failures, @NextAttemptAt)
        """;
}
