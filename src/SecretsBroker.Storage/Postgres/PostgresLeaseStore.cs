using System.Data;
using Dapper;
using NodaTime;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Leases in PostgreSQL, shared by every node. Each state change is a conditional statement, each batch
/// a job takes is claimed with <c>FOR UPDATE SKIP LOCKED</c> in the statement that changes it, and each
/// unique key is settled by its index, so nodes running the same work at once never both make one change.
/// </summary>
public sealed class PostgresLeaseStore(PostgresDatabase db, PostgresAuditAppender audit) : ILeaseStore
{
    private static class Sql
    {
        public const string IdempotencyIndex = "lease_idempotency";

        // The claim set's id, locked FOR KEY SHARE until this lease commits: leases sharing a set do not
        // wait on one another, and a prune that skips locked rows cannot take it from under this lease.
        // No id answered means another transaction stored the same set meanwhile: asked again, the next
        // statement's snapshot sees it.
        public const string StoreClaimSet = """
            WITH found AS (SELECT id FROM workload_claims WHERE digest = @ClaimsDigest FOR KEY SHARE),
            stored AS (
                INSERT INTO workload_claims (digest, issuer, claims)
                SELECT @ClaimsDigest, @Issuer, @Claims WHERE NOT EXISTS (SELECT 1 FROM found)
                ON CONFLICT (digest) DO NOTHING
                RETURNING id)
            SELECT id FROM found UNION ALL SELECT id FROM stored
            """;

        public const string Insert = $"INSERT INTO lease ({LeaseSql.WrittenColumns}, claims_id) VALUES ({LeaseSql.WrittenValues}, @ClaimsId)";

        public const string InsertWithCredential = Insert + ";\n" + LeaseSql.InsertCredential;

        public const string FindReusable = $"""
            SELECT {LeaseSql.Columns} FROM lease
            WHERE issuer = @Issuer AND run_id = @RunId AND step = @Step AND purpose = @Purpose AND role = @Role
              AND issued_at >= @Since AND state = 'active' AND subject = @Subject AND job_id IS NOT DISTINCT FROM @JobId
            ORDER BY issued_at DESC LIMIT 1
            """;

        public const string Renew = $"""
            UPDATE lease SET expires_at = @ExpiresAt
            WHERE id = @Id AND {LeaseSql.ValidAtNow} AND NOT break_glass
            """;

        // The ids, so the credentials are erased by a second statement: its own snapshot sees a
        // credential an activation committed while this one waited for that lease's row.
        public const string RevokeRun = $"""
            UPDATE lease SET {LeaseSql.ToRevoking}
            WHERE issuer = @Issuer AND run_id = @RunId AND {LeaseSql.Live}
            RETURNING id
            """;

        public const string EraseCredentials = "DELETE FROM lease_credential WHERE lease_id = ANY(@Ids)";

        // The bulk endings pick their rows FOR UPDATE SKIP LOCKED: a node sweeping at the same time has
        // locked the rows it ends, so each lease is ended (and counted in one audit record) by one node.
        public const string SweepExpired = $"""
            WITH picked AS (SELECT id FROM lease WHERE {LeaseSql.ExpiredAtNow} LIMIT @Batch FOR UPDATE SKIP LOCKED)
            UPDATE lease SET {LeaseSql.ToRevoking} FROM picked WHERE lease.id = picked.id
            """;

        public const string ReclaimStuckIssuing = $"""
            WITH picked AS (SELECT id FROM lease WHERE state = 'issuing' AND issued_at < @Before FOR UPDATE SKIP LOCKED)
            UPDATE lease SET {LeaseSql.ToRevoking} FROM picked WHERE lease.id = picked.id
            """;

        // Reads the issuing rows only (the partial index lease_issuing_by_age), never all leases.
        public const string ReclaimIssuingOfNode = $"""
            WITH picked AS (
                SELECT id FROM lease
                WHERE state = 'issuing' AND writer_node = @Node AND writer_incarnation <> @ExceptIncarnation
                FOR UPDATE SKIP LOCKED)
            UPDATE lease SET {LeaseSql.ToRevoking} FROM picked WHERE lease.id = picked.id
            """;

        // Row locks end with the statement's transaction, so the claim is the pushed-out next attempt,
        // made by the statement that picks the rows: a pass on another node skips the rows locked here,
        // and once this commits they are no longer due.
        public const string ClaimDueRevocations = $"""
            WITH picked AS (
                SELECT id AS picked_id, next_attempt_at AS due_at FROM lease
                WHERE {LeaseSql.DueAtNow}
                ORDER BY next_attempt_at LIMIT @Batch
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE lease SET next_attempt_at = @ClaimedUntil FROM picked WHERE lease.id = picked.picked_id
                RETURNING {LeaseSql.Columns}, revoke_attempts, picked.due_at)
            SELECT {LeaseSql.Columns}, revoke_attempts FROM claimed ORDER BY due_at, id
            """;

        // A clean-up pass records its outcomes as arrays, one statement each, however large the batch.
        public const string MarkRevoked = $"""
            UPDATE lease SET state = 'revoked', next_attempt_at = NULL, revoke_attempts = outcome.attempts
            FROM unnest(@Ids, @Attempts) AS outcome (id, attempts)
            WHERE lease.id = outcome.id AND {LeaseSql.CleaningUp}
            """;

        public const string MarkAttemptFailed = $"""
            UPDATE lease SET revoke_attempts = outcome.attempts, next_attempt_at = outcome.next_attempt_at,
                             state = CASE WHEN outcome.failed THEN 'revoke_failed' ELSE state END
            FROM unnest(@Ids, @Attempts, @NextAttemptAt, @Failed) AS outcome (id, attempts, next_attempt_at, failed)
            WHERE lease.id = outcome.id AND {LeaseSql.CleaningUp}
            """;

        public const string LiveHandles = $"""
            SELECT handle FROM lease
            WHERE provider = @Provider AND handle = ANY(@Handles) AND {LeaseSql.NotCleanedUp}
            """;
    }

    public async Task<LeaseInsert> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async (c, tx) =>
            {
                var row = LeaseSql.WriteParameters(lease, credentialCiphertext);
                if (lease.Project is not null && await PostgresRunCompletionStore.RefusesAsync(c, tx, row, ct))
                {
                    return LeaseInsert.RunCompleted;
                }

                row.Add("ClaimsId", lease.Claims is null ? (long?)null : await StoreClaimSetAsync(c, tx, row, ct), DbType.Int64);
                await c.ExecuteAsync(new CommandDefinition(credentialCiphertext is null ? Sql.Insert : Sql.InsertWithCredential, row, tx, cancellationToken: ct));
                if (lease.MarksIdentitySeen && lease.Claims is { } claims)
                {
                    var seen = new { lease.Issuer, lease.Subject, Claims = claims, Now = lease.IssuedAt };
                    await c.ExecuteAsync(new CommandDefinition(PostgresIdentityStore.Sql.RecordSeen, seen, tx, cancellationToken: ct));
                }

                await audit.AppendAsync(c, tx, record, ct);
                return LeaseInsert.Inserted;
            }, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == Sql.IdempotencyIndex)
        {
            // The unique index settles a key racing requests share: the one that committed first won,
            // every other waited for it and lands here, its transaction rolled back.
            return LeaseInsert.KeyTaken;
        }
    }

    public Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(LeaseSql.Activate, new { Id = id }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(LeaseSql.InsertCredential, new { Id = id, Credential = credentialCiphertext }, tx, cancellationToken: ct));
            return true;
        }, ct);

    public async Task<Lease?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(LeaseSql.Find, new { Id = id }, cancellationToken: ct)))?.ToLease();
    }

    public async Task<string?> ReadCredentialAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(LeaseSql.ReadCredential, new { Id = id }, cancellationToken: ct));
    }

    public async Task<Lease?> FindByIdempotencyKeyAsync(string issuer, string subject, string key, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(LeaseSql.FindByIdempotencyKey, new { Issuer = issuer, Subject = subject, Key = key }, cancellationToken: ct));
        return row?.ToLease();
    }

    public async Task<Lease?> FindReusableAsync(Lease binding, Instant since, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var args = new { binding.Issuer, binding.RunId, binding.Step, binding.Purpose, binding.Role, binding.Subject, binding.JobId, Since = since };
        return (await c.QueryFirstOrDefaultAsync<LeaseRow>(new CommandDefinition(Sql.FindReusable, args, cancellationToken: ct)))?.ToLease();
    }

    public Task<bool> RenewAsync(string id, Instant newExpiry, Instant now, string? credentialCiphertext, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = new { Id = id, ExpiresAt = newExpiry, Now = now, Credential = credentialCiphertext };
            if (await c.ExecuteAsync(new CommandDefinition(Sql.Renew, args, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            if (credentialCiphertext is not null)
            {
                await c.ExecuteAsync(new CommandDefinition(LeaseSql.ReplaceCredential, args, tx, cancellationToken: ct));
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(LeaseSql.Revoke, new { Id = id, Reason = reason, Now = now }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(LeaseSql.EraseCredential, new { LeaseId = id }, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<int> RevokeRunAsync(string issuer, string runId, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = new { Issuer = issuer, RunId = runId, Reason = reason, Now = now };
            var ended = (await c.QueryAsync<string>(new CommandDefinition(Sql.RevokeRun, args, tx, cancellationToken: ct))).ToArray();
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredentials, new { Ids = ended }, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, recordFor(ended.Length), ct);
            return ended.Length;
        }, ct);

    public Task<int> SweepExpiredAsync(Instant now, int batch, string reason, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        RevokeManyAsync(Sql.SweepExpired, new { Now = now, Batch = batch, Reason = reason }, recordFor, ct);

    public Task<int> ReclaimIssuingOfNodeAsync(string node, string exceptIncarnation, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        RevokeManyAsync(Sql.ReclaimIssuingOfNode, new { Node = node, ExceptIncarnation = exceptIncarnation, Reason = reason, Now = now }, recordFor, ct);

    public Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        RevokeManyAsync(Sql.ReclaimStuckIssuing, new { Before = issuedBefore, Reason = reason, Now = now }, recordFor, ct);

    public async Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var args = new { Now = now, Batch = batch, ClaimedUntil = now + LeaseRevocation.ClaimedFor };
        var rows = await c.QueryAsync<LeaseRow>(new CommandDefinition(Sql.ClaimDueRevocations, args, cancellationToken: ct));
        return rows.Select(r => new LeaseRevocation(r.ToLease(), r.RevokeAttempts)).ToList();
    }

    public Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var revoked = outcomes.Where(o => o.Revoked).ToList();
            var failed = outcomes.Where(o => !o.Revoked).ToList();
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredentials, new { Ids = outcomes.Select(o => o.LeaseId).ToArray() }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(
                Sql.MarkRevoked, new { Ids = revoked.Select(o => o.LeaseId).ToArray(), Attempts = revoked.Select(o => o.Attempts).ToArray() }, tx, cancellationToken: ct));
            var failures = new
            {
                Ids = failed.Select(o => o.LeaseId).ToArray(),
                Attempts = failed.Select(o => o.Attempts).ToArray(),
                NextAttemptAt = failed.Select(o => o.NextAttemptAt?.ToUnixTimeMilliseconds()).ToArray(),
                Failed = failed.Select(o => o.Failed).ToArray(),
            };
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkAttemptFailed, failures, tx, cancellationToken: ct));
            foreach (var alert in alerts)
            {
                await audit.AppendAsync(c, tx, alert, ct);
            }

            return true;
        }, ct);

    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string State, long N)>(new CommandDefinition(LeaseSql.CountByState, cancellationToken: ct));
        return rows.ToDictionary(r => r.State, r => r.N);
    }

    public async Task<Instant?> OldestUnsweptExpiryAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var millis = await c.ExecuteScalarAsync<long?>(new CommandDefinition(LeaseSql.OldestUnsweptExpiry, new { Now = now }, cancellationToken: ct));
        return millis is { } m ? Instant.FromUnixTimeMilliseconds(m) : null;
    }

    public async Task<IReadOnlySet<string>> LiveHandlesAsync(string provider, IReadOnlyCollection<string> candidates, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var live = await c.QueryAsync<string>(new CommandDefinition(Sql.LiveHandles, new { Provider = provider, Handles = candidates.ToArray() }, cancellationToken: ct));
        return live.ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<long> StoreClaimSetAsync(NpgsqlConnection c, NpgsqlTransaction tx, DynamicParameters row, CancellationToken ct)
    {
        // Each miss means the set was stored (or pruned) by another transaction in between: a second
        // try finds it, and a third would need that to happen again within microseconds.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await c.ExecuteScalarAsync<long?>(new CommandDefinition(Sql.StoreClaimSet, row, tx, cancellationToken: ct)) is { } id)
            {
                return id;
            }
        }

        throw new InvalidOperationException("The lease's claim set could not be stored: it was stored and pruned again on every try.");
    }

    /// <summary>A statement that ends many leases, audited with its count when it ended any.</summary>
    private Task<int> RevokeManyAsync(string sql, object args, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var n = await c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
            if (n > 0)
            {
                await audit.AppendAsync(c, tx, recordFor(n), ct);
            }

            return n;
        }, ct);
}
