using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// Leases in SQLite. Writes go through <see cref="SqliteGroupCommit"/> (one durable commit per batch
/// of requests); reads use their own pooled connections, which WAL lets run beside the writer.
/// </summary>
public sealed class SqliteLeaseStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender audit) : ILeaseStore
{
    private static class Sql
    {
        private const string Columns = LeaseSql.Columns;

        private const string ToRevoking = LeaseSql.ToRevoking;

        // The token's claim set first (shared by the leases of one job, so usually already there), then
        // the lease pointing at it.
        public const string Insert = """
            INSERT INTO workload_claims (digest, issuer, claims) SELECT @ClaimsDigest, @Issuer, @Claims WHERE @ClaimsDigest IS NOT NULL
            ON CONFLICT (digest) DO NOTHING;
            INSERT INTO lease (id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
                               issued_at, expires_at, max_expires_at, renewable, idempotency_key, break_glass, claims_id,
                               writer_node, writer_incarnation)
            VALUES (@Id, @Role, @Provider, @Secret, @Handle, @Issuer, @Subject, @RunId, @JobId, @Step, @Purpose, @Rule, @State,
                    @IssuedAt, @ExpiresAt, @MaxExpiresAt, @Renewable, @IdempotencyKey, @BreakGlass,
                    (SELECT id FROM workload_claims WHERE digest = @ClaimsDigest), @WriterNode, @WriterIncarnation)
            """;

        public const string InsertCredential = "INSERT INTO lease_credential (lease_id, ciphertext) VALUES (@Id, @Credential)";

        // One command for both rows on the hot path: a command costs more than the statement it runs.
        public const string InsertWithCredential = Insert + ";\n" + InsertCredential;

        public const string Activate = "UPDATE lease SET state = 'active' WHERE id = @Id AND state = 'issuing'";

        public const string Find = $"SELECT {Columns} FROM lease WHERE id = @Id";

        public const string ReadCredential = """
            SELECT c.ciphertext FROM lease_credential c JOIN lease l ON l.id = c.lease_id
            WHERE c.lease_id = @Id AND l.state = 'active'
            """;

        public const string FindByIdempotencyKey = $"SELECT {Columns} FROM lease WHERE issuer = @Issuer AND subject = @Subject AND idempotency_key = @Key";

        // Seeks the binding and the window's issue times, never an identity's leases (one identity may
        // have leased for every run of a repository).
        public const string FindReusable = $"""
            SELECT {Columns} FROM lease INDEXED BY lease_reusable
            WHERE issuer = @Issuer AND run_id = @RunId AND step = @Step AND purpose = @Purpose AND role = @Role
              AND issued_at >= @Since AND state = 'active' AND subject = @Subject AND job_id IS @JobId
            ORDER BY issued_at DESC LIMIT 1
            """;

        public const string Renew = $"""
            UPDATE lease SET expires_at = @ExpiresAt
            WHERE id = @Id AND {LeaseSql.ValidAtNow} AND break_glass = 0
            """;

        public const string ReplaceCredential = "UPDATE lease_credential SET ciphertext = @Credential WHERE lease_id = @Id";

        public const string Revoke = $"UPDATE lease SET {ToRevoking} WHERE id = @Id AND {LeaseSql.Live}";

        public const string RevokeRun = $"UPDATE lease SET {ToRevoking} WHERE issuer = @Issuer AND run_id = @RunId AND {LeaseSql.Live}";

        public const string EraseRunCredentials = $"""
            DELETE FROM lease_credential
            WHERE lease_id IN (SELECT id FROM lease WHERE issuer = @Issuer AND run_id = @RunId AND {LeaseSql.Live})
            """;

        public const string SweepExpired = $"""
            UPDATE lease SET {ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE {LeaseSql.ExpiredAtNow} LIMIT @Batch)
            """;

        public const string ReclaimStuckIssuing = $"""
            UPDATE lease SET {ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE state = 'issuing' AND issued_at < @Before)
            """;

        // Reads the issuing rows only (the partial index lease_issuing_by_age), never all leases.
        public const string ReclaimIssuingOfNode = $"""
            UPDATE lease SET {ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE state = 'issuing' AND writer_node = @Node AND writer_incarnation <> @ExceptIncarnation)
            """;

        public const string DueRevocations = $"""
            SELECT {Columns}, revoke_attempts FROM lease
            WHERE state IN ('revoking', 'revoke_failed') AND next_attempt_at <= @Now
            ORDER BY next_attempt_at LIMIT @Batch
            """;

        // The clean-up's first attempt erases the credential, whatever the target answers: ending many
        // leases at once (expiry, a compromised identity) leaves it to this step to keep that one
        // statement narrow, and a lease that is not active never replays its credential anyway.
        public const string EraseCredential = "DELETE FROM lease_credential WHERE lease_id = @LeaseId";

        public const string MarkRevoked = """
            UPDATE lease SET state = 'revoked', next_attempt_at = NULL, revoke_attempts = @Attempts
            WHERE id = @LeaseId AND state IN ('revoking', 'revoke_failed')
            """;

        public const string MarkAttemptFailed = """
            UPDATE lease SET revoke_attempts = @Attempts, next_attempt_at = @NextAttemptAt,
                             state = CASE WHEN @Failed THEN 'revoke_failed' ELSE state END
            WHERE id = @LeaseId AND state IN ('revoking', 'revoke_failed')
            """;

        public const string CountByState = "SELECT state, count(*) AS n FROM lease GROUP BY state";

        public const string LiveHandles = $"""
            SELECT handle FROM lease
            WHERE provider = @Provider AND handle IN @Handles AND {LeaseSql.NotCleanedUp}
            """;
    }

    public Task<bool> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            try
            {
                var row = new DynamicParameters(lease);
                row.Add("Credential", credentialCiphertext);
                row.Add("ClaimsDigest", lease.Claims is { } claims ? ClaimSetDigest.Of(lease.Issuer, claims) : null);
                row.Add("WriterNode", lease.Writer?.Node);
                row.Add("WriterIncarnation", lease.Writer?.Incarnation);
                await c.ExecuteAsync(new CommandDefinition(credentialCiphertext is null ? Sql.Insert : Sql.InsertWithCredential, row, tx, cancellationToken: ct));
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 && lease.IdempotencyKey is not null)
            {
                // SQLITE_CONSTRAINT on the idempotency index: another request with this key won.
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.Activate, new { Id = id }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(Sql.InsertCredential, new { Id = id, Credential = credentialCiphertext }, tx, cancellationToken: ct));
            return true;
        }, ct);

    public async Task<Lease?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(Sql.Find, new { Id = id }, cancellationToken: ct)))?.ToLease();
    }

    public async Task<string?> ReadCredentialAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(Sql.ReadCredential, new { Id = id }, cancellationToken: ct));
    }

    public async Task<Lease?> FindByIdempotencyKeyAsync(string issuer, string subject, string key, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(Sql.FindByIdempotencyKey, new { Issuer = issuer, Subject = subject, Key = key }, cancellationToken: ct));
        return row?.ToLease();
    }

    public async Task<Lease?> FindReusableAsync(Lease binding, Instant since, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var args = new { binding.Issuer, binding.RunId, binding.Step, binding.Purpose, binding.Role, binding.Subject, binding.JobId, Since = since };
        return (await c.QueryFirstOrDefaultAsync<LeaseRow>(new CommandDefinition(Sql.FindReusable, args, cancellationToken: ct)))?.ToLease();
    }

    public Task<bool> RenewAsync(string id, Instant newExpiry, Instant now, string? credentialCiphertext, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var args = new { Id = id, ExpiresAt = newExpiry, Now = now, Credential = credentialCiphertext };
            if (await c.ExecuteAsync(new CommandDefinition(Sql.Renew, args, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            if (credentialCiphertext is not null)
            {
                await c.ExecuteAsync(new CommandDefinition(Sql.ReplaceCredential, args, tx, cancellationToken: ct));
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.Revoke, new { Id = id, Reason = reason, Now = now }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredential, new { LeaseId = id }, tx, cancellationToken: ct));

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<int> RevokeRunAsync(string issuer, string runId, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var args = new { Issuer = issuer, RunId = runId, Reason = reason, Now = now };
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseRunCredentials, args, tx, cancellationToken: ct));
            var n = await c.ExecuteAsync(new CommandDefinition(Sql.RevokeRun, args, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, recordFor(n), ct);
            return n;
        }, ct);

    public Task<int> SweepExpiredAsync(Instant now, int batch, string reason, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        RevokeManyAsync(Sql.SweepExpired, new { Now = now, Batch = batch, Reason = reason }, recordFor, ct);

    public Task<int> ReclaimIssuingOfNodeAsync(string node, string exceptIncarnation, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        RevokeManyAsync(Sql.ReclaimIssuingOfNode, new { Node = node, ExceptIncarnation = exceptIncarnation, Reason = reason, Now = now }, recordFor, ct);

    public Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        RevokeManyAsync(Sql.ReclaimStuckIssuing, new { Before = issuedBefore, Reason = reason, Now = now }, recordFor, ct);

    public async Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<LeaseRow>(new CommandDefinition(Sql.DueRevocations, new { Now = now, Batch = batch }, cancellationToken: ct));
        return rows.Select(r => new LeaseRevocation(r.ToLease(), r.RevokeAttempts)).ToList();
    }

    public Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredential, outcomes, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkRevoked, outcomes.Where(o => o.Revoked), tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkAttemptFailed, outcomes.Where(o => !o.Revoked), tx, cancellationToken: ct));
            foreach (var alert in alerts)
            {
                await audit.AppendAsync(c, tx, alert, ct);
            }

            return true;
        }, ct);

    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<(string State, long N)>(new CommandDefinition(Sql.CountByState, cancellationToken: ct));
        return rows.ToDictionary(r => r.State, r => r.N);
    }

    public async Task<IReadOnlySet<string>> LiveHandlesAsync(string provider, IReadOnlyCollection<string> candidates, CancellationToken ct)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        await using var c = await db.OpenReadAsync(ct);

        // In chunks: SQLite limits the number of bound parameters in one statement.
        foreach (var chunk in candidates.Chunk(500))
        {
            live.UnionWith(await c.QueryAsync<string>(new CommandDefinition(Sql.LiveHandles, new { Provider = provider, Handles = chunk }, cancellationToken: ct)));
        }

        return live;
    }

    /// <summary>A statement that ends many leases, audited with its count when it ended any.</summary>
    private Task<int> RevokeManyAsync(string sql, object args, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var n = await c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
            if (n > 0)
            {
                await audit.AppendAsync(c, tx, recordFor(n), ct);
            }

            return n;
        }, ct);
}
