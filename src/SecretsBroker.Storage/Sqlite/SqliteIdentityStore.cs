using System.Text.Json;
using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Identities seen, mass revocations and block rules in SQLite; writes go through the group-commit writer.</summary>
public sealed class SqliteIdentityStore(SqliteDatabase db, SqliteGroupCommit writes, SqliteAuditAppender audit) : IIdentityStore
{
    private static class Sql
    {
        // The same transition as SqliteLeaseStore's, marked with the revocation that made it.
        private const string ToRevoking = LeaseSql.ToRevoking + ", revocation_id = @RevocationId";

        public const string RecordSeen = """
            INSERT INTO workload_identity (issuer, subject, claims, first_seen, last_seen) VALUES (@Issuer, @Subject, @Claims, @Now, @Now)
            ON CONFLICT (issuer, subject) DO UPDATE SET claims = excluded.claims, last_seen = MAX(last_seen, excluded.last_seen)
            """;

        public const string Page = $"""
            SELECT i.seq, i.issuer, i.subject, i.claims, i.first_seen, i.last_seen,
                   (SELECT count(*) FROM lease l WHERE l.issuer = i.issuer AND l.subject = i.subject AND {LeaseSql.LiveAtNow}) AS live_leases
            FROM workload_identity i WHERE i.seq > @After ORDER BY i.seq LIMIT @Limit
            """;

        // Both through the identities' live leases only: an identity may have leased for every run of a
        // repository, and its ended leases are not this statement's business.
        public const string RevokeSubject = $"""
            UPDATE lease INDEXED BY lease_live_by_identity SET {ToRevoking}
            WHERE issuer = @Issuer AND subject = @Subject AND {LeaseSql.Live}
            """;

        // Exact claim match on the claims each lease was issued under (its claim set), through the
        // sets of the issuer that carry the claim and then their leases.
        public const string RevokeSelector = $"""
            UPDATE lease SET {ToRevoking}
            WHERE claims_id IN (SELECT id FROM workload_claims WHERE issuer = @Issuer AND json_extract(claims, @Path) = @ClaimValue)
              AND issuer = @Issuer AND {LeaseSql.Live}
            """;

        // A set no live lease points at serves no selector any more (ended leases keep a dangling id).
        public const string PruneClaimSets = $"""
            DELETE FROM workload_claims
            WHERE NOT EXISTS (SELECT 1 FROM lease WHERE lease.claims_id = workload_claims.id AND {LeaseSql.Live})
            """;

        public const string InsertRevocation = """
            INSERT INTO identity_revocation (id, issuer, subject, claim_name, claim_value, reason, blocked, total, at)
            VALUES (@Id, @Issuer, @Subject, @ClaimName, @ClaimValue, @Reason, @Blocked, @Total, @At)
            """;

        public const string UpsertBlock = """
            INSERT INTO identity_block (rule_key, issuer, subject, claim_name, claim_value, reason, revocation_id, at)
            VALUES (@RuleKey, @Issuer, @Subject, @ClaimName, @ClaimValue, @Reason, @RevocationId, @At)
            ON CONFLICT (rule_key) DO UPDATE SET reason = excluded.reason, revocation_id = excluded.revocation_id, at = excluded.at
            """;

        public const string DeleteBlock = "DELETE FROM identity_block WHERE rule_key = @RuleKey";

        public const string BlockRules = "SELECT issuer, subject, claim_name, claim_value, reason, revocation_id, at FROM identity_block";

        public const string Revocation = "SELECT id, issuer, subject, claim_name, claim_value, reason, blocked, at FROM identity_revocation WHERE id = @Id";

        public const string Progress = """
            SELECT count(*) AS total,
                   coalesce(sum(state = 'revoked'), 0) AS done,
                   coalesce(sum(state = 'revoke_failed'), 0) AS failed,
                   coalesce(sum(state = 'revoking'), 0) AS pending
            FROM lease WHERE revocation_id = @Id
            """;
    }

    public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
            await c.ExecuteAsync(new CommandDefinition(Sql.RecordSeen, new { who.Issuer, who.Subject, Claims = claimsJson, Now = now }, tx, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<IdentityRow>(new CommandDefinition(Sql.Page, new { After = after, Limit = limit, Now = now }, cancellationToken: ct));
        return rows.Select(r => new SeenIdentity(
            r.Seq, r.Issuer, r.Subject, JsonSerializer.Deserialize<Dictionary<string, string>>(r.Claims) ?? [], r.FirstSeen, r.LastSeen, r.LiveLeases)).ToList();
    }

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var target = revocation.Target;
            var args = new
            {
                target.Issuer,
                target.Subject,
                Path = $"$.\"{target.ClaimName}\"",
                target.ClaimValue,
                Reason = revocation.LeaseReason,
                Now = revocation.At,
                RevocationId = revocation.Id,
            };
            var n = await c.ExecuteAsync(new CommandDefinition(target.Subject is null ? Sql.RevokeSelector : Sql.RevokeSubject, args, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Sql.InsertRevocation, new
            {
                revocation.Id,
                target.Issuer,
                target.Subject,
                target.ClaimName,
                target.ClaimValue,
                revocation.Reason,
                Blocked = revocation.Block is not null,
                Total = n,
                revocation.At,
            }, tx, cancellationToken: ct));
            if (revocation.Block is { } block)
            {
                await c.ExecuteAsync(new CommandDefinition(Sql.UpsertBlock, new
                {
                    target.RuleKey,
                    target.Issuer,
                    target.Subject,
                    target.ClaimName,
                    target.ClaimValue,
                    block.Reason,
                    block.RevocationId,
                    block.At,
                }, tx, cancellationToken: ct));
            }

            await audit.AppendAsync(c, tx, recordFor(n), ct);
            return n;
        }, ct);

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(Sql.PruneClaimSets, transaction: tx, cancellationToken: ct)), ct);

    public async Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<RevocationRow>(new CommandDefinition(Sql.Revocation, new { Id = revocationId }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        var counts = await c.QuerySingleAsync<(long Total, long Done, long Failed, long Pending)>(new CommandDefinition(Sql.Progress, new { Id = revocationId }, cancellationToken: ct));
        return new RevocationProgress(
            row.Id, new IdentityTarget(row.Issuer, row.Subject, row.ClaimName, row.ClaimValue), row.Reason, row.Blocked, row.At,
            counts.Total, counts.Done, counts.Failed, counts.Pending);
    }

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.DeleteBlock, new { target.RuleKey }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<BlockRow>(new CommandDefinition(Sql.BlockRules, cancellationToken: ct));
        return rows.Select(r => new BlockRule(new IdentityTarget(r.Issuer, r.Subject, r.ClaimName, r.ClaimValue), r.Reason, r.RevocationId, r.At)).ToList();
    }

    private sealed class IdentityRow
    {
        public long Seq { get; init; }

        public string Issuer { get; init; } = "";

        public string Subject { get; init; } = "";

        public string Claims { get; init; } = "{}";

        public Instant FirstSeen { get; init; }

        public Instant LastSeen { get; init; }

        public long LiveLeases { get; init; }
    }

    private sealed class RevocationRow
    {
        public string Id { get; init; } = "";

        public string Issuer { get; init; } = "";

        public string? Subject { get; init; }

        public string? ClaimName { get; init; }

        public string? ClaimValue { get; init; }

        public string Reason { get; init; } = "";

        public bool Blocked { get; init; }

        public Instant At { get; init; }
    }

    private sealed class BlockRow
    {
        public string Issuer { get; init; } = "";

        public string? Subject { get; init; }

        public string? ClaimName { get; init; }

        public string? ClaimValue { get; init; }

        public string Reason { get; init; } = "";

        public string? RevocationId { get; init; }

        public Instant At { get; init; }
    }
}
