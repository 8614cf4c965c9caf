using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
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
        // The token's claim set first (shared by the leases of one job, so usually already there), then
        // the lease pointing at it.
        public const string Insert = $"""
            INSERT INTO workload_claims (digest, issuer, claims) SELECT @ClaimsDigest, @Issuer, @Claims WHERE @ClaimsDigest IS NOT NULL
            ON CONFLICT (digest) DO NOTHING;
            INSERT INTO lease ({LeaseSql.WrittenColumns}, claims_id)
            VALUES ({LeaseSql.WrittenValues}, (SELECT id FROM workload_claims WHERE digest = @ClaimsDigest))
            """;

        // One command for both rows on the hot path: a command costs more than the statement it runs.
        public const string InsertWithCredential = Insert + ";\n" + LeaseSql.InsertCredential;

        /// <summary>
        /// The parameters of <see cref="Insert"/> and <see cref="InsertWithCredential"/>, in the order
        /// <see cref="InsertValues"/> gives them: the shared <see cref="LeaseSql.WrittenValues"/>, then the claim set and credential.
        /// </summary>
        public static readonly string[] InsertParameters =
            [.. LeaseSql.WrittenValues.Split(',', StringSplitOptions.TrimEntries), "@ClaimsDigest", "@Claims", "@Credential"];

        public static readonly string[] RefusesLeaseParameters = ["@Issuer", "@RunId", "@Project", "@JobId", "@TokenIssuedAt"];

        public static readonly string[] ActivateParameters = ["@Id"];

        public static readonly string[] InsertCredentialParameters = ["@Id", "@Credential"];

        // Seeks the binding and the window's issue times, never an identity's leases (one identity may
        // have leased for every run of a repository).
        public const string FindReusable = $"""
            SELECT {LeaseSql.Columns} FROM lease INDEXED BY lease_reusable
            WHERE issuer = @Issuer AND run_id = @RunId AND step = @Step AND purpose = @Purpose AND role = @Role
              AND issued_at >= @Since AND state = 'active' AND subject = @Subject AND job_id IS @JobId
            ORDER BY issued_at DESC LIMIT 1
            """;

        public const string Renew = $"""
            UPDATE lease SET expires_at = @ExpiresAt
            WHERE id = @Id AND {LeaseSql.ValidAtNow} AND break_glass = 0
            """;

        public const string RevokeRun = $"UPDATE lease SET {LeaseSql.ToRevoking} WHERE issuer = @Issuer AND run_id = @RunId AND {LeaseSql.Live}";

        public const string EraseRunCredentials = $"""
            DELETE FROM lease_credential
            WHERE lease_id IN (SELECT id FROM lease WHERE issuer = @Issuer AND run_id = @RunId AND {LeaseSql.Live})
            """;

        public const string SweepExpired = $"""
            UPDATE lease SET {LeaseSql.ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE {LeaseSql.ExpiredAtNow} LIMIT @Batch)
            """;

        public const string ReclaimStuckIssuing = $"""
            UPDATE lease SET {LeaseSql.ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE state = 'issuing' AND issued_at < @Before)
            """;

        // Reads the issuing rows only (the partial index lease_issuing_by_age), never all leases.
        public const string ReclaimIssuingOfNode = $"""
            UPDATE lease SET {LeaseSql.ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE state = 'issuing' AND writer_node = @Node AND writer_incarnation <> @ExceptIncarnation)
            """;

        public const string DueRevocations = $"""
            SELECT {LeaseSql.Columns}, revoke_attempts FROM lease
            WHERE {LeaseSql.DueAtNow}
            ORDER BY next_attempt_at LIMIT @Batch
            """;

        // A clean-up pass claims and records a whole batch with one statement each, its ids and outcomes
        // passed as one JSON array (json_each), as PostgreSQL's statements take arrays: a statement per
        // lease cost more than the rows it changed.
        public const string ClaimRevocations = "UPDATE lease SET next_attempt_at = @ClaimedUntil WHERE id IN (SELECT value FROM json_each(@Ids))";

        public const string EraseCredentials = "DELETE FROM lease_credential WHERE lease_id IN (SELECT value ->> 'id' FROM json_each(@Outcomes))";

        public const string MarkRevoked = $"""
            UPDATE lease SET state = 'revoked', next_attempt_at = NULL, revoke_attempts = outcome.value ->> 'attempts'
            FROM json_each(@Outcomes) AS outcome
            WHERE lease.id = outcome.value ->> 'id' AND outcome.value ->> 'revoked' AND {LeaseSql.CleaningUp}
            """;

        public const string MarkAttemptFailed = $"""
            UPDATE lease SET revoke_attempts = outcome.value ->> 'attempts', next_attempt_at = outcome.value ->> 'next',
                             state = CASE WHEN outcome.value ->> 'failed' THEN 'revoke_failed' ELSE state END
            FROM json_each(@Outcomes) AS outcome
            WHERE lease.id = outcome.value ->> 'id' AND NOT (outcome.value ->> 'revoked') AND {LeaseSql.CleaningUp}
            """;

        public const string LiveHandles = $"""
            SELECT handle FROM lease
            WHERE provider = @Provider AND handle IN @Handles AND {LeaseSql.NotCleanedUp}
            """;
    }

    // SQLite limits the number of bound parameters in one statement.
    private const int MaxBoundList = 500;

    /// <summary>One revocation outcome as the clean-up statements read it from their JSON array.</summary>
    private sealed record OutcomeRow(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("revoked")] bool Revoked,
        [property: JsonPropertyName("attempts")] int Attempts,
        [property: JsonPropertyName("next")] long? Next,
        [property: JsonPropertyName("failed")] bool Failed)
    {
        public static OutcomeRow Of(RevocationOutcome o) => new(o.LeaseId, o.Revoked, o.Attempts, o.NextAttemptAt?.ToUnixTimeMilliseconds(), o.Failed);
    }

    // The hot path of issuance: its statements run through the writer's prepared commands
    // (SqlitePreparedStatements), their values bound in place rather than through Dapper.
    public Task<LeaseInsert> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            // The one writer runs nothing between this check and the insert, so a completion is either
            // seen here or, recorded after, ends this lease with the rest of its run.
            if (lease.Project is not null)
            {
                using var refuses = SqlitePreparedStatements.For(tx, RunCompletionSql.RefusesLease, Sql.RefusesLeaseParameters);
                var tokenIssuedAt = lease.TokenIssuedAt?.ToUnixTimeMilliseconds();
                if (Convert.ToInt64(await refuses.Bind(lease.Issuer, lease.RunId, lease.Project, lease.JobId, tokenIssuedAt).ScalarAsync(ct), CultureInfo.InvariantCulture) != 0)
                {
                    return LeaseInsert.RunCompleted;
                }
            }

            try
            {
                using var insert = SqlitePreparedStatements.For(tx, credentialCiphertext is null ? Sql.Insert : Sql.InsertWithCredential, Sql.InsertParameters);
                await insert.Bind(InsertValues(lease, credentialCiphertext)).ExecuteAsync(ct);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 && lease.IdempotencyKey is not null)
            {
                // SQLITE_CONSTRAINT on the idempotency index: another request with this key won.
                return LeaseInsert.KeyTaken;
            }

            if (lease.MarksIdentitySeen && lease.Claims is { } claims)
            {
                using var seen = SqlitePreparedStatements.For(tx, SqliteIdentityStore.Sql.RecordSeen, SqliteIdentityStore.Sql.RecordSeenParameters);
                await seen.Bind(lease.Issuer, lease.Subject, claims, lease.IssuedAt.ToUnixTimeMilliseconds()).ExecuteAsync(ct);
            }

            await audit.AppendAsync(c, tx, record, ct);
            return LeaseInsert.Inserted;
        }, ct);

    public Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            using (var activate = SqlitePreparedStatements.For(tx, LeaseSql.Activate, Sql.ActivateParameters))
            {
                if (await activate.Bind(id).ExecuteAsync(ct) == 0)
                {
                    return false;
                }
            }

            using var credential = SqlitePreparedStatements.For(tx, LeaseSql.InsertCredential, Sql.InsertCredentialParameters);
            await credential.Bind(id, credentialCiphertext).ExecuteAsync(ct);
            return true;
        }, ct);

    public async Task<Lease?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(LeaseSql.Find, new { Id = id }, cancellationToken: ct)))?.ToLease();
    }

    public async Task<string?> ReadCredentialAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(LeaseSql.ReadCredential, new { Id = id }, cancellationToken: ct));
    }

    public async Task<Lease?> FindByIdempotencyKeyAsync(string issuer, string subject, string key, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(LeaseSql.FindByIdempotencyKey, new { Issuer = issuer, Subject = subject, Key = key }, cancellationToken: ct));
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
                await c.ExecuteAsync(new CommandDefinition(LeaseSql.ReplaceCredential, args, tx, cancellationToken: ct));
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
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

    /// <summary>
    /// Picks and claims in one write transaction: the one writer runs nothing between them, so two
    /// passes at once are handed disjoint leases.
    /// </summary>
    public Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct) =>
        writes.RunAsync<IReadOnlyList<LeaseRevocation>>(async (c, tx) =>
        {
            var rows = (await c.QueryAsync<LeaseRow>(new CommandDefinition(Sql.DueRevocations, new { Now = now, Batch = batch }, tx, cancellationToken: ct))).ToList();
            var claim = new { Ids = JsonSerializer.Serialize(rows.Select(r => r.Id)), ClaimedUntil = now + LeaseRevocation.ClaimedFor };
            await c.ExecuteAsync(new CommandDefinition(Sql.ClaimRevocations, claim, tx, cancellationToken: ct));

            return rows.Select(r => new LeaseRevocation(r.ToLease(), r.RevokeAttempts)).ToList();
        }, ct);

    public Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var batch = new { Outcomes = JsonSerializer.Serialize(outcomes.Select(OutcomeRow.Of)) };
            await c.ExecuteAsync(new CommandDefinition(Sql.EraseCredentials, batch, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkRevoked, batch, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Sql.MarkAttemptFailed, batch, tx, cancellationToken: ct));
            foreach (var alert in alerts)
            {
                await audit.AppendAsync(c, tx, alert, ct);
            }

            return true;
        }, ct);

    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<(string State, long N)>(new CommandDefinition(LeaseSql.CountByState, cancellationToken: ct));
        return rows.ToDictionary(r => r.State, r => r.N);
    }

    public async Task<Instant?> OldestUnsweptExpiryAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var millis = await c.ExecuteScalarAsync<long?>(new CommandDefinition(LeaseSql.OldestUnsweptExpiry, new { Now = now }, cancellationToken: ct));
        return millis is { } m ? Instant.FromUnixTimeMilliseconds(m) : null;
    }

    public async Task<IReadOnlySet<string>> LiveHandlesAsync(string provider, IReadOnlyCollection<string> candidates, CancellationToken ct)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        await using var c = await db.OpenReadAsync(ct);

        foreach (var chunk in candidates.Chunk(MaxBoundList))
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

    /// <summary>
    /// The values of <see cref="Sql.InsertParameters"/>, in order: instants as unix milliseconds, the claim
    /// set's key null without one (as <see cref="LeaseSql.WriteParameters"/> binds them for Dapper).
    /// </summary>
    private static object?[] InsertValues(Lease lease, string? credentialCiphertext) =>
    [
        lease.Id, lease.Role, lease.Provider, lease.Secret, lease.Handle, lease.Issuer, lease.Subject, lease.RunId, lease.JobId, lease.Step, lease.Purpose, lease.Rule, lease.State,
        lease.IssuedAt.ToUnixTimeMilliseconds(), lease.ExpiresAt.ToUnixTimeMilliseconds(), lease.MaxExpiresAt.ToUnixTimeMilliseconds(), lease.Renewable, lease.IdempotencyKey,
        lease.BreakGlass, lease.Writer?.Node, lease.Writer?.Incarnation, lease.Project,
        lease.Claims is { } claims ? ClaimSetDigest.Of(lease.Issuer, claims) : null, lease.Claims, credentialCiphertext,
    ];
}
