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
    internal static class Sql
    {
        // The same transition as SqliteLeaseStore's, marked with the revocation that made it.
        private const string ToRevoking = LeaseSql.ToRevoking + ", revocation_id = @RevocationId";

        public const string RecordSeen = """
            INSERT INTO workload_identity (issuer, subject, claims, first_seen, last_seen) VALUES (@Issuer, @Subject, @Claims, @Now, @Now)
            ON CONFLICT (issuer, subject) DO UPDATE SET claims = excluded.claims, last_seen = MAX(last_seen, excluded.last_seen)
            """;

        public static readonly string[] RecordSeenParameters = ["@Issuer", "@Subject", "@Claims", "@Now"];

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
    }

    // On the hot path of issuance: through the writer's prepared commands (SqlitePreparedStatements).
    public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) =>
        writes.RunAsync(async (_, tx) =>
        {
            using var seen = SqlitePreparedStatements.For(tx, Sql.RecordSeen, Sql.RecordSeenParameters);
            return await seen.Bind(who.Issuer, who.Subject, claimsJson, now.ToUnixTimeMilliseconds()).ExecuteAsync(ct);
        }, ct);

    public async Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await IdentityReads.PageAsync(c, after, limit, now, ct);
    }

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            var target = revocation.Target;
            var args = RevocationParameters.Leases(revocation, $"$.\"{target.ClaimName}\"");
            var n = await c.ExecuteAsync(new CommandDefinition(target.Subject is null ? Sql.RevokeSelector : Sql.RevokeSubject, args, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(IdentitySql.InsertRevocation, RevocationParameters.Row(revocation, n), tx, cancellationToken: ct));
            if (revocation.Block is { } block)
            {
                await c.ExecuteAsync(new CommandDefinition(IdentitySql.UpsertBlock, RevocationParameters.Block(target, block), tx, cancellationToken: ct));
            }

            await audit.AppendAsync(c, tx, recordFor(n), ct);
            return n;
        }, ct);

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(Sql.PruneClaimSets, transaction: tx, cancellationToken: ct)), ct);

    public async Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await IdentityReads.ProgressAsync(c, revocationId, ct);
    }

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) =>
        writes.RunAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(IdentitySql.DeleteBlock, new { target.RuleKey }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await IdentityReads.BlockRulesAsync(c, null, ct);
    }
}
