using Dapper;
using NodaTime;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Workload identities, revocations and block rules in PostgreSQL.
/// <para>
/// A block written on one node must reach every issuance that its revocation could miss. The check
/// after an issuance commits reads the committed rules (<see cref="BlockRulesAsync"/>) under a shared
/// advisory lock, and a revocation that writes a block holds the same lock exclusively from before its
/// statement reads the live leases until it commits. Either the read waits for the block's commit and
/// sees it, or it ran before the revocation began, so the lease it follows had committed and the
/// revocation's statement finds and ends it. Block and unblock notify every node on commit
/// (<see cref="PostgresBlockRuleFeed"/>), which refreshes the rules the other nodes hold in memory.
/// </para>
/// </summary>
public sealed class PostgresIdentityStore(PostgresDatabase db, PostgresAuditAppender audit) : IIdentityStore
{
    internal static class Sql
    {
        private const string RulesLockKey = "hashtext(current_schema() || '.block-rules')";

        public const string LockRulesToChange = $"SELECT pg_advisory_xact_lock({RulesLockKey})";

        public const string LockRulesToRead = $"SELECT pg_advisory_xact_lock_shared({RulesLockKey})";

        // Delivered to the listeners when the transaction commits, and not at all when it rolls back.
        public const string NotifyRulesChanged = "SELECT pg_notify(@Channel, '')";

        // The same transition as the lease store's, marked with the revocation that made it.
        private const string ToRevoking = LeaseSql.ToRevoking + ", revocation_id = @RevocationId";

        // One statement settled by the (issuer, subject) key, so two nodes seeing one identity at once
        // leave one row; the later instant wins whichever commits last.
        public const string RecordSeen = """
            INSERT INTO workload_identity (issuer, subject, claims, first_seen, last_seen) VALUES (@Issuer, @Subject, @Claims, @Now, @Now)
            ON CONFLICT (issuer, subject) DO UPDATE SET claims = excluded.claims, last_seen = GREATEST(workload_identity.last_seen, excluded.last_seen)
            """;

        // The live leases are locked in id order before they change, so two statements ending
        // overlapping sets of leases (this one, a run's revocation) wait for each other instead of
        // deadlocking. Under read committed a lease another node ended meanwhile is re-read once its
        // lock is released and left out, so every lease is counted by the one statement that ended it.
        public const string RevokeSubject = $"""
            UPDATE lease SET {ToRevoking}
            WHERE id IN (SELECT id FROM lease WHERE issuer = @Issuer AND subject = @Subject AND {LeaseSql.Live} ORDER BY id FOR UPDATE)
              AND {LeaseSql.Live}
            """;

        // Exact claim match on the claims each lease was issued under (its claim set), through the
        // sets of the issuer that carry the claim and then their leases; locked as above.
        public const string RevokeSelector = $"""
            UPDATE lease SET {ToRevoking}
            WHERE id IN (
                SELECT id FROM lease
                WHERE claims_id IN (SELECT id FROM workload_claims WHERE issuer = @Issuer AND claims::jsonb ->> @ClaimName = @ClaimValue)
                  AND issuer = @Issuer AND {LeaseSql.Live}
                ORDER BY id FOR UPDATE OF lease)
              AND {LeaseSql.Live}
            """;
    }

    public async Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(Sql.RecordSeen, new { who.Issuer, who.Subject, Claims = claimsJson, Now = now }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await IdentityReads.PageAsync(c, after, limit, now, ct);
    }

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var target = revocation.Target;
            if (revocation.Block is not null)
            {
                await c.ExecuteAsync(new CommandDefinition(Sql.LockRulesToChange, transaction: tx, cancellationToken: ct));
            }

            var revoke = target.Subject is null ? Sql.RevokeSelector : Sql.RevokeSubject;
            var n = await c.ExecuteAsync(new CommandDefinition(revoke, RevocationParameters.Leases(revocation), tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(IdentitySql.InsertRevocation, RevocationParameters.Row(revocation, n), tx, cancellationToken: ct));
            if (revocation.Block is { } block)
            {
                await c.ExecuteAsync(new CommandDefinition(IdentitySql.UpsertBlock, RevocationParameters.Block(target, block), tx, cancellationToken: ct));
                await NotifyRulesChangedAsync(c, tx, ct);
            }

            await audit.AppendAsync(c, tx, recordFor(n), ct);
            return n;
        }, ct);

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var unused = (await c.QueryAsync<long>(new CommandDefinition(ClaimSetSql.LockUnused, transaction: tx, cancellationToken: ct))).ToArray();
            return unused.Length == 0
                ? 0
                : await c.ExecuteAsync(new CommandDefinition(ClaimSetSql.DeleteUnused, new { Ids = unused }, tx, cancellationToken: ct));
        }, ct);

    public async Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await IdentityReads.ProgressAsync(c, revocationId, ct);
    }

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            // A delete settles two nodes unblocking at once: only the one that removed the rule audits it.
            if (await c.ExecuteAsync(new CommandDefinition(IdentitySql.DeleteBlock, new { target.RuleKey }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await NotifyRulesChangedAsync(c, tx, ct);
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Sql.LockRulesToRead, transaction: tx, cancellationToken: ct));
            return await IdentityReads.BlockRulesAsync(c, tx, ct);
        }, ct);

    private Task<int> NotifyRulesChangedAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(Sql.NotifyRulesChanged, new { Channel = PostgresBlockRuleFeed.ChannelOf(db) }, tx, cancellationToken: ct));
}
