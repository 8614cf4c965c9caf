using Dapper;
using SecretsBroker.Core.Audit;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Reads the audit trail and appends the events that go with no other change.</summary>
public sealed class SqliteAuditStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender appender) : IAuditStore
{
    public Task AppendAsync(AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await appender.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<IReadOnlyList<AuditEvent>> PageAsync(long afterSeq, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<AuditEventRow>(new CommandDefinition(AuditSql.Page, new { AfterSeq = afterSeq, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToEvent()).ToList();
    }

    public async Task<AuditHead?> ReadHeadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<AuditHeadRow>(new CommandDefinition(AuditSql.ReadHead, cancellationToken: ct));
        return row?.ToHead();
    }
}
