using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Break-glass requests in SQLite; writes go through the group commit with their audit events.</summary>
public sealed class SqliteBreakGlassStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender audit) : IBreakGlassStore
{
    private static class Sql
    {
        private const string Columns = """
            id, role, requester, requester_actor, justification, incident, ttl_seconds, state, requested_at, approve_by,
            approver, lease_id, reviewer, review_outcome, review_notes, reviewed_at
            """;

        public const string Insert = """
            INSERT INTO break_glass_request (id, role, requester, requester_actor, justification, incident, ttl_seconds, state, requested_at, approve_by, approved_at)
            VALUES (@Id, @Role, @Requester, @RequesterActor, @Justification, @Incident, @TtlSeconds, @State, @RequestedAt, @ApproveBy,
                    CASE WHEN @State = 'approved' THEN @RequestedAt END)
            """;

        public const string Find = $"SELECT {Columns} FROM break_glass_request WHERE id = @Id";

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

        public const string Review = """
            UPDATE break_glass_request SET reviewer = @Reviewer, review_outcome = @Outcome, review_notes = @Notes, reviewed_at = @Now
            WHERE id = @Id AND state = 'issued' AND reviewed_at IS NULL AND requester <> @Reviewer AND approver IS NOT @Reviewer
            """;

        public const string ExpirePending = "UPDATE break_glass_request SET state = 'expired' WHERE state = 'pending' AND approve_by <= @Now RETURNING id";

        // Keyset paging, newest first: (requested_at, id) orders every request, even two in the same millisecond.
        private const string AfterCursor = "(@After IS NULL OR (requested_at, id) < (SELECT requested_at, id FROM break_glass_request WHERE id = @After))";

        public const string ListAll = $"SELECT {Columns} FROM break_glass_request WHERE {AfterCursor} ORDER BY requested_at DESC, id DESC LIMIT @Limit";

        public const string DueReminders = $"""
            SELECT {Columns} FROM break_glass_request
            WHERE state = 'issued' AND reviewed_at IS NULL AND requested_at <= @RequestedBefore
              AND (reminded_at IS NULL OR reminded_at <= @RemindedBefore)
            ORDER BY requested_at LIMIT @Batch
            """;

        public const string MarkReminded = "UPDATE break_glass_request SET reminded_at = @Now WHERE id = @Id";

        public const string Stranded = """
            SELECT r.id, coalesce(l.state = 'active', 0) AS lease_live
            FROM break_glass_request r LEFT JOIN lease l ON l.id = r.id
            WHERE r.state = 'approved' AND r.approved_at <= @Before AND l.state IS NOT 'issuing'
            ORDER BY r.approved_at LIMIT @Batch
            """;

        public const string InsertAlert = """
            INSERT INTO alert (id, kind, request_id, raised_at, failures, next_attempt_at)
            VALUES (@Id, @Kind, @RequestId, @RaisedAt, @Failures, @NextAttemptAt)
            """;

        public const string FindAlert = """
            SELECT id, kind, request_id, raised_at, failures, next_attempt_at FROM alert WHERE id = @Id AND delivered_at IS NULL
            """;

        public const string AlertDeliveredTo = "SELECT webhook FROM alert_delivery WHERE alert_id = @Id";

        public const string RecordAlertDelivery = """
            INSERT INTO alert_delivery (alert_id, webhook, delivered_at) VALUES (@Id, @Webhook, @Now) ON CONFLICT DO NOTHING
            """;

        public const string CompleteAlert = "UPDATE alert SET delivered_at = @Now WHERE id = @Id AND delivered_at IS NULL";

        public const string RetryAlertLater = """
            UPDATE alert SET failures = @Failures, next_attempt_at = @NextAttemptAt WHERE id = @Id AND delivered_at IS NULL
            """;

        public const string AnyAlertDue = "SELECT EXISTS (SELECT 1 FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now)";

        public const string ClaimDueAlerts = """
            UPDATE alert SET next_attempt_at = @ClaimUntil
            WHERE id IN (SELECT id FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now ORDER BY next_attempt_at LIMIT @Batch)
            RETURNING id
            """;

        public const string ListUnreviewed = $"""
            SELECT {Columns} FROM break_glass_request WHERE state = 'issued' AND reviewed_at IS NULL AND {AfterCursor}
            ORDER BY requested_at DESC, id DESC LIMIT @Limit
            """;
    }

    public Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Sql.Insert, request, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<BreakGlassRequest?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Sql.Find, new { Id = id }, cancellationToken: ct)))?.ToRequest();
    }

    public Task<bool> ApproveAsync(string id, string approver, Instant now, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.Approve, new { Id = id, Approver = approver, Now = now }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.MarkIssued, new { Id = id, LeaseId = leaseId }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            if (alert is not null)
            {
                await c.ExecuteAsync(new CommandDefinition(Sql.InsertAlert, alert, tx, cancellationToken: ct));
            }

            return true;
        }, ct);

    public async Task<IReadOnlyList<(string Id, bool LeaseLive)>> StrandedAsync(Instant approvedBefore, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<(string, long)>(new CommandDefinition(Sql.Stranded, new { Before = approvedBefore, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => (r.Item1, r.Item2 != 0)).ToList();
    }

    public Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.MarkCollected, new { Id = id, Now = now }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> ReviewAsync(string id, string reviewer, string outcome, string? notes, Instant now, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var row = new { Id = id, Reviewer = reviewer, Outcome = outcome, Notes = notes, Now = now };
            if (await c.ExecuteAsync(new CommandDefinition(Sql.Review, row, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<int> ExpirePendingAsync(Instant now, Func<string, AuditRecord> recordFor, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var expired = (await c.QueryAsync<string>(new CommandDefinition(Sql.ExpirePending, new { Now = now }, tx, cancellationToken: ct))).ToList();
            foreach (var id in expired)
            {
                await audit.AppendAsync(c, tx, recordFor(id), ct);
            }

            return expired.Count;
        }, ct);

    public async Task<IReadOnlyList<BreakGlassRequest>> ListAsync(bool unreviewedOnly, string? after, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(unreviewedOnly ? Sql.ListUnreviewed : Sql.ListAll, new { After = after, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public async Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            Sql.DueReminders, new { RequestedBefore = requestedBefore, RemindedBefore = remindedBefore, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public Task MarkRemindedAsync(string id, Instant now, BreakGlassAlert alert, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkReminded, new { Id = id, Now = now }, tx, cancellationToken: ct));
            return await c.ExecuteAsync(new CommandDefinition(Sql.InsertAlert, alert, tx, cancellationToken: ct));
        }, ct);

    public async Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var alert = await c.QuerySingleOrDefaultAsync<AlertRow>(new CommandDefinition(Sql.FindAlert, new { Id = alertId }, cancellationToken: ct));
        if (alert is null)
        {
            return null;
        }

        var request = await c.QuerySingleAsync<Row>(new CommandDefinition(Sql.Find, new { Id = alert.RequestId }, cancellationToken: ct));
        var deliveredTo = await c.QueryAsync<string>(new CommandDefinition(Sql.AlertDeliveredTo, new { Id = alertId }, cancellationToken: ct));
        return new AlertToDeliver(alert.ToAlert(), request.ToRequest(), deliveredTo.ToHashSet(StringComparer.Ordinal));
    }

    public Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(Sql.RecordAlertDelivery, new { Id = alertId, Webhook = webhook, Now = now }, tx, cancellationToken: ct)), ct);

    public Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(Sql.CompleteAlert, new { Id = alertId, Now = now }, tx, cancellationToken: ct)), ct);

    public Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            Sql.RetryAlertLater, new { Id = alertId, Failures = failures, NextAttemptAt = nextAttemptAt }, tx, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct)
    {
        // A poll finds nothing due almost always: a read answers that without a write and its fsync.
        await using (var read = await db.OpenReadAsync(ct))
        {
            if (!await read.ExecuteScalarAsync<bool>(new CommandDefinition(Sql.AnyAlertDue, new { Now = now }, cancellationToken: ct)))
            {
                return [];
            }
        }

        return await writes.RunAsync(async (c, tx) => (await c.QueryAsync<string>(new CommandDefinition(
            Sql.ClaimDueAlerts, new { Now = now, ClaimUntil = claimUntil, Batch = batch }, tx, cancellationToken: ct))).ToList(), ct);
    }

    private sealed class AlertRow
    {
        public string Id { get; init; } = "";

        public string Kind { get; init; } = "";

        public string RequestId { get; init; } = "";

        public Instant RaisedAt { get; init; }

        public int Failures { get; init; }

        public Instant NextAttemptAt { get; init; }

        public BreakGlassAlert ToAlert() => new(Id, Kind, RequestId, RaisedAt, Failures, NextAttemptAt);
    }

    private sealed class Row
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
}
