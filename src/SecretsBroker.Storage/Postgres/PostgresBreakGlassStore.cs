using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Break-glass requests in PostgreSQL, changed by every node. Each change is a conditional update (see
/// <see cref="BreakGlassSql"/>): of two nodes racing to approve, issue, collect or review a request, the
/// second waits for the first's row lock, finds the state it needed gone and answers false, with no
/// audit record and no alert.
/// </summary>
public sealed class PostgresBreakGlassStore(PostgresDatabase db, PostgresAuditAppender audit) : IBreakGlassStore
{
    private static class Sql
    {
        // Picks the requests with SKIP LOCKED in the expiring statement: of two sweeps at once, each
        // expires (and audits) only the rows it locked, and neither waits for the other.
        public const string ExpirePending = """
            WITH due AS MATERIALIZED (
                SELECT id FROM break_glass_request WHERE state = 'pending' AND approve_by <= @Now
                FOR UPDATE SKIP LOCKED)
            UPDATE break_glass_request SET state = 'expired'
            FROM due WHERE break_glass_request.id = due.id
            RETURNING break_glass_request.id
            """;

        // A read: what the sweep does with each row afterwards is the conditional MarkIssued, so two
        // sweeps reading the same stranded request settle (and alert) it once.
        public const string Stranded = """
            SELECT r.id, coalesce(l.state = 'active', false) AS lease_live
            FROM break_glass_request r LEFT JOIN lease l ON l.id = r.id
            WHERE r.state = 'approved' AND r.approved_at <= @Before AND l.state IS DISTINCT FROM 'issuing'
            ORDER BY r.approved_at LIMIT @Batch
            """;
    }

    public Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.InsertRequest, request, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<BreakGlassRequest?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<BreakGlassRequestRow>(new CommandDefinition(BreakGlassSql.FindRequest, new { Id = id }, cancellationToken: ct)))?.ToRequest();
    }

    public Task<bool> ApproveAsync(string id, string approver, Instant now, AuditRecord record, CancellationToken ct) =>
        ChangeAsync(BreakGlassSql.Approve, new { Id = id, Approver = approver, Now = now }, record, ct);

    public Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.MarkIssued, new { Id = id, LeaseId = leaseId }, tx, cancellationToken: ct)) == 0)
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
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string, bool)>(new CommandDefinition(Sql.Stranded, new { Before = approvedBefore, Batch = batch }, cancellationToken: ct));
        return rows.ToList();
    }

    public Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct) =>
        ChangeAsync(BreakGlassSql.MarkCollected, new { Id = id, Now = now }, record, ct);

    public Task<bool> ReviewAsync(string id, string reviewer, string outcome, string? notes, Instant now, AuditRecord record, CancellationToken ct) =>
        ChangeAsync(BreakGlassSql.Review, new { Id = id, Reviewer = reviewer, Outcome = outcome, Notes = notes, Now = now }, record, ct);

    public Task<int> ExpirePendingAsync(Instant now, Func<string, AuditRecord> recordFor, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
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
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<BreakGlassRequestRow>(new CommandDefinition(unreviewedOnly ? BreakGlassSql.ListUnreviewed : BreakGlassSql.ListAll, new { After = after, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public async Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<BreakGlassRequestRow>(new CommandDefinition(
            BreakGlassSql.DueReminders, new { RequestedBefore = requestedBefore, RemindedBefore = remindedBefore, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public Task<bool> MarkRemindedAsync(string id, Instant remindedBefore, Instant now, BreakGlassAlert alert, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var marked = new { Id = id, RemindedBefore = remindedBefore, Now = now };
            if (await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.MarkReminded, marked, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.InsertAlert, alert, tx, cancellationToken: ct));
            return true;
        }, ct);

    /// <summary>Runs one conditional update and, only when it changed the request, appends its audit record in the same transaction.</summary>
    private Task<bool> ChangeAsync(string sql, object args, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<BreakGlassBacklog> CountBacklogAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await BacklogReader.BreakGlassAsync(c, now, ct);
    }
}
