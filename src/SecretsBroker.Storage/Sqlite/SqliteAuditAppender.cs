using Dapper;
using Microsoft.Data.Sqlite;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// Appends an audit event inside the caller's transaction, so the event and the change it records
/// commit together or not at all. Transactions are BEGIN IMMEDIATE, so reading the head and writing
/// the next link cannot interleave with another writer.
/// </summary>
public sealed class SqliteAuditAppender(AuditChain chain)
{
    private static class Sql
    {
        public const string ReadHead = "SELECT seq, mac FROM audit_head WHERE id = 1";

        public const string Insert = """
            INSERT INTO audit_event (seq, id, at, actor, action, target, decision, reason, request_id, remote_address, user_agent, previous_mac, mac)
            VALUES (@Seq, @Id, @At, @Actor, @Action, @Target, @Decision, @Reason, @RequestId, @RemoteAddress, @UserAgent, @PreviousMac, @Mac)
            """;

        public const string MoveHead = """
            INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, @Seq, @Mac, @HeadMac)
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, head_mac = excluded.head_mac
            """;
    }

    public async Task AppendAsync(SqliteConnection connection, SqliteTransaction transaction, AuditRecord record, CancellationToken ct)
    {
        var head = await connection.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(Sql.ReadHead, transaction: transaction, cancellationToken: ct));
        var linked = chain.Link(record, (head?.Seq ?? 0) + 1, head?.Mac ?? AuditChain.Genesis);
        await connection.ExecuteAsync(new CommandDefinition(Sql.Insert, linked, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(Sql.MoveHead, chain.HeadAt(linked), transaction, cancellationToken: ct));
    }

    private sealed class HeadRow
    {
        public long Seq { get; init; }

        public string Mac { get; init; } = "";
    }
}
