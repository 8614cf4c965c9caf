using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Break-glass requests in SQLite; writes go through the group commit with their audit events and the alerts they raise.</summary>
public sealed class SqliteBreakGlassStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender audit) : IBreakGlassStore
{
    private static class Sql
    {
        public const string Insert = """
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

        public const string Review = """
            UPDATE break_glass_request SET reviewer = @Reviewer, review_outcome = @Outcome, review_notes = @Notes, reviewed_at = @Now
            WHERE id = @Id AND state = 'issued' AND reviewed_at IS NULL AND requester <> @Reviewer AND approver IS NOT @Reviewer
            """;

        public const string ExpirePending = "UPDATE break_glass_request SET state = 'expired' WHERE state = 'pending' AND approve_by <= @Now RETURNING id";

        // Keyset paging, newest first: (requested_at, id) orders every request, even two in the same millisecond.
        private const string AfterCursor = "(@After IS NULL OR (requested_at, id) < (SELECT requested_at, id FROM break_glass_request WHERE id = @After))";

        public const string ListAll = $"SELECT {BreakGlassSql.RequestColumns} FROM break_glass_request WHERE {AfterCursor} ORDER BY requested_at DESC, id DESC LIMIT @Limit";

        public const string DueReminders = $"""
            SELECT {BreakGlassSql.RequestColumns} FROM break_glass_request
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

        public const string ListUnreviewed = $"""
            SELECT {BreakGlassSql.RequestColumns} FROM break_glass_request WHERE state = 'issued' AND reviewed_at IS NULL AND {AfterCursor}
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
        return (await c.QuerySingleOrDefaultAsync<BreakGlassRequestRow>(new CommandDefinition(BreakGlassSql.FindRequest, new { Id = id }, cancellationToken: ct)))?.ToRequest();
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
                await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.InsertAlert, alert, tx, cancellationToken: ct));
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
        var rows = await c.QueryAsync<BreakGlassRequestRow>(new CommandDefinition(unreviewedOnly ? Sql.ListUnreviewed : Sql.ListAll, new { After = after, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public async Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<BreakGlassRequestRow>(new CommandDefinition(
            Sql.DueReminders, new { RequestedBefore = requestedBefore, RemindedBefore = remindedBefore, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public Task MarkRemindedAsync(string id, Instant now, BreakGlassAlert alert, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkReminded, new { Id = id, Now = now }, tx, cancellationToken: ct));
            return await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.InsertAlert, alert, tx, cancellationToken: ct));
        }, ct);
}
