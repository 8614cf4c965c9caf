using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// Completions in SQLite, through the one writer: a lease insert and a completion never interleave,
/// so a lease is either refused by the completion or ended by it.
/// </summary>
public sealed class SqliteRunCompletionStore(SqliteGroupCommit writes, SqliteAuditAppender audit) : IRunCompletionStore
{
    private static class Sql
    {
        public const string EraseCredentials = $"DELETE FROM lease_credential WHERE lease_id IN (SELECT id FROM lease WHERE {RunCompletionSql.LiveOfCompletion})";

        public const string Revoke = $"UPDATE lease SET {LeaseSql.ToRevoking} WHERE {RunCompletionSql.LiveOfCompletion}";
    }

    public Task<CompletionOutcome> CompleteAsync(RunCompletion completion, Func<int, bool, AuditRecord> recordFor, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var args = RunCompletionSql.Parameters(completion);
            if (await c.ExecuteAsync(new CommandDefinition(RunCompletionSql.Record, args, tx, cancellationToken: ct)) == 0)
            {
                return CompletionOutcome.Replay;
            }

            var known = await c.ExecuteScalarAsync<bool>(new CommandDefinition(RunCompletionSql.KnownRun, args, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredentials, args, tx, cancellationToken: ct));
            var revoked = await c.ExecuteAsync(new CommandDefinition(Sql.Revoke, args, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, recordFor(revoked, known), ct);
            return new CompletionOutcome(false, known, revoked);
        }, ct);

    public Task<int> PruneAsync(Instant before, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(RunCompletionSql.Prune, new { Before = before }, tx, cancellationToken: ct)), ct);
}
