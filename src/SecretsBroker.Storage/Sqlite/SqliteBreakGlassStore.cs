using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Break-glass requests in SQLite; writes go through the group commit with their audit events and the alerts they raise.</summary>
public sealed class SqliteBreakGlassStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender audit) : IBreakGlassStore
{
    private static class Sql
    {
        public const string ExpirePending = "UPDATE break_glass_request SET state = 'expired' WHERE state = 'pending' AND approve_by <= @Now RETURNING id";

        public const string Stranded = """
            SELECT r.id, coalesce(l.state = 'active', 0) AS lease_live
            FROM break_glass_request r LEFT JOIN lease l ON l.id = r.id
            WHERE r.state = 'approved' AND r.approved_at <= @Before AND l.state IS NOT 'issuing'
            ORDER BY r.approved_at LIMIT @Batch
            """;
    }

    public Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.InsertRequest, request, tx, cancellationToken: ct));
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
            if (await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.Approve, new { Id = id, Approver = approver, Now = now }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
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
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<(string, long)>(new CommandDefinition(Sql.Stranded, new { Before = approvedBefore, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => (r.Item1, r.Item2 != 0)).ToList();
    }

    public Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.MarkCollected, new { Id = id, Now = now }, tx, cancellationToken: ct)) == 0)
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
            if (await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.Review, row, tx, cancellationToken: ct)) == 0)
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
        var rows = await c.QueryAsync<BreakGlassRequestRow>(new CommandDefinition(unreviewedOnly ? BreakGlassSql.ListUnreviewed : BreakGlassSql.ListAll, new { After = after, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public async Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<BreakGlassRequestRow>(new CommandDefinition(
            BreakGlassSql.DueReminders, new { RequestedBefore = requestedBefore, RemindedBefore = remindedBefore, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public Task<bool> MarkRemindedAsync(string id, Instant remindedBefore, Instant now, BreakGlassAlert alert, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var marked = new { Id = id, RemindedBefore = remindedBefore, Now = now };
            if (await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.MarkReminded, marked, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(BreakGlassSql.InsertAlert, alert, tx, cancellationToken: ct));
            return true;
        }, ct);

    public async Task<BreakGlassBacklog> CountBacklogAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await BacklogReader.BreakGlassAsync(c, now, ct);
    }
}
