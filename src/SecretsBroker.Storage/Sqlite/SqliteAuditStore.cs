using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Reads the audit trail and appends the events that go with no other change.</summary>
public sealed class SqliteAuditStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender appender) : IAuditStore
{
    private static class Sql
    {
        public const string Page = """
            SELECT seq, id, at, actor, action, target, decision, reason, request_id, remote_address, user_agent, previous_mac, mac
            FROM audit_event WHERE seq > @AfterSeq ORDER BY seq LIMIT @Limit
            """;

        public const string ReadHead = "SELECT seq, mac, head_mac FROM audit_head WHERE id = 1";
    }

    public Task AppendAsync(AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await appender.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<IReadOnlyList<AuditEvent>> PageAsync(long afterSeq, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<EventRow>(new CommandDefinition(Sql.Page, new { AfterSeq = afterSeq, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToEvent()).ToList();
    }

    public async Task<AuditHead?> ReadHeadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(Sql.ReadHead, cancellationToken: ct));
        return row is null ? null : new AuditHead(row.Seq, row.Mac, row.HeadMac);
    }

    private sealed class HeadRow
    {
        public long Seq { get; init; }

        public string Mac { get; init; } = "";

        public string HeadMac { get; init; } = "";
    }

    private sealed class EventRow
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
}
