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

        public static readonly string[] InsertParameters =
            ["@Seq", "@Id", "@At", "@Actor", "@Action", "@Target", "@Decision", "@Reason", "@RequestId", "@RemoteAddress", "@UserAgent", "@PreviousMac", "@Mac"];

        public const string MoveHead = """
            INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, @Seq, @Mac, @HeadMac)
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, head_mac = excluded.head_mac
            """;

        public static readonly string[] MoveHeadParameters = ["@Seq", "@Mac", "@HeadMac"];
    }

    // On the writer's connection: through its prepared commands (SqlitePreparedStatements), and from the
    // head it holds (SqliteHeldAuditHead) once read; on any other connection, the head is read here.
    public async Task AppendAsync(SqliteConnection connection, SqliteTransaction transaction, AuditRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var held = SqliteHeldAuditHead.Of(transaction);
        var (seq, mac) = held?.In(transaction) ?? await ReadHeadAsync(transaction, ct);
        var linked = chain.Link(record, seq + 1, mac);
        using (var insert = SqlitePreparedStatements.For(transaction, Sql.Insert, Sql.InsertParameters))
        {
            await insert.Bind(
                linked.Seq, linked.Id, linked.At.ToUnixTimeMilliseconds(), linked.Actor, linked.Action, linked.Target, linked.Decision,
                linked.Reason, linked.RequestId, linked.RemoteAddress, linked.UserAgent, linked.PreviousMac, linked.Mac).ExecuteAsync(ct);
        }

        var head = chain.HeadAt(linked);
        using var move = SqlitePreparedStatements.For(transaction, Sql.MoveHead, Sql.MoveHeadParameters);
        await move.Bind(head.Seq, head.Mac, head.HeadMac).ExecuteAsync(ct);
        held?.Moved(transaction, linked.Seq, linked.Mac);
    }

    /// <summary>The newest event's seq and MAC, or 0 and <see cref="AuditChain.Genesis"/> before the first.</summary>
    private static async Task<(long Seq, string Mac)> ReadHeadAsync(SqliteTransaction transaction, CancellationToken ct)
    {
        using var read = SqlitePreparedStatements.For(transaction, Sql.ReadHead, []);
        await using var row = await read.ReadAsync(ct);
        return await row.ReadAsync(ct) ? (row.GetInt64(0), row.GetString(1)) : (0, AuditChain.Genesis);
    }
}
