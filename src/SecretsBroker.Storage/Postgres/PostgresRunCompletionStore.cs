using System.Data;
using Dapper;
using NodaTime;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Completions in PostgreSQL, shared by every node. A lease insert and a completion of the same run
/// meet on an advisory lock named after the run: the insert holds it shared from before it reads the
/// completions until it commits, the completion holds it exclusively from before its revoking statement
/// until it commits. So either the completion's statement, started after the lease committed, ends the
/// lease, or the insert's read, started after the completion committed, refuses it; without the lock each
/// could miss the other (both under READ COMMITTED, each committing after the other's snapshot).
/// </summary>
public sealed class PostgresRunCompletionStore(PostgresDatabase db, PostgresAuditAppender audit) : IRunCompletionStore
{
    private static class Sql
    {
        private const string RunLockKey = "hashtext(current_schema() || '.run:' || @Issuer || '/' || @RunId)";

        public const string LockRunToComplete = $"SELECT pg_advisory_xact_lock({RunLockKey})";

        public const string LockRunToLease = $"SELECT pg_advisory_xact_lock_shared({RunLockKey})";

        // The ids, so the credentials are erased by a second statement that sees every one of them.
        public const string Revoke = $"UPDATE lease SET {LeaseSql.ToRevoking} WHERE {RunCompletionSql.LiveOfCompletion} RETURNING id";

        public const string EraseCredentials = "DELETE FROM lease_credential WHERE lease_id = ANY(@Ids)";
    }

    public Task<CompletionOutcome> CompleteAsync(RunCompletion completion, Func<int, bool, AuditRecord> recordFor, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = RunCompletionSql.Parameters(completion);

            // Two nodes handed one delivery at once: the second waits on the unique index and records nothing.
            if (await c.ExecuteAsync(new CommandDefinition(RunCompletionSql.Record, args, tx, cancellationToken: ct)) == 0)
            {
                return CompletionOutcome.Replay;
            }

            await c.ExecuteAsync(new CommandDefinition(Sql.LockRunToComplete, args, tx, cancellationToken: ct));
            var known = await c.ExecuteScalarAsync<bool>(new CommandDefinition(RunCompletionSql.KnownRun, args, tx, cancellationToken: ct));
            var ended = (await c.QueryAsync<string>(new CommandDefinition(Sql.Revoke, args, tx, cancellationToken: ct))).ToArray();
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredentials, new { Ids = ended }, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, recordFor(ended.Length, known), ct);
            return new CompletionOutcome(false, known, ended.Length);
        }, ct);

    public async Task<int> PruneAsync(Instant before, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(RunCompletionSql.Prune, new { Before = before }, cancellationToken: ct));
    }

    /// <summary>
    /// Inside a lease insert's transaction, before anything is written: takes the run's lock shared and
    /// reads whether a completion refuses the lease (<paramref name="lease"/> binds the lease's values).
    /// </summary>
    internal static async Task<bool> RefusesAsync(NpgsqlConnection c, NpgsqlTransaction tx, DynamicParameters lease, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition(Sql.LockRunToLease, lease, tx, cancellationToken: ct));
        return await c.ExecuteScalarAsync<bool>(new CommandDefinition(RunCompletionSql.RefusesLease, lease, tx, cancellationToken: ct));
    }
}
