using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// How a lease comes to point at its claim set and how unused sets are pruned, so that under read
/// committed a prune never deletes a set a lease being inserted on another node is about to point at.
/// Two row locks settle it:
/// <list type="bullet">
/// <item>A lease insert takes the set it points at <c>FOR KEY SHARE</c> (<see cref="PointAtClaimSet"/>)
/// and holds it until its commit. Lease inserts share that lock, so the leases of one job never wait
/// for each other.</item>
/// <item>A prune first locks the sets no live lease points at <c>FOR UPDATE SKIP LOCKED</c>
/// (<see cref="LockUnused"/>), so a set an uncommitted insert holds is skipped and an insert that
/// comes later waits for the prune; then, in a second statement whose snapshot is taken after those
/// locks, deletes only the sets still unused (<see cref="DeleteUnused"/>), which sees every insert
/// that committed before a lock was taken. One statement would not do: its snapshot is older than
/// its locks, so it would miss a lease committed between the two.</item>
/// </list>
/// An insert that waited on a set the prune then deleted finds no row to lock and creates the set
/// again, under a new id.
/// </summary>
internal static class ClaimSetSql
{
    /// <summary>
    /// The common table <c>claim_set</c>: the id of the set with <c>@ClaimsDigest</c> (made of
    /// <c>@Issuer</c> and <c>@Claims</c>), created if it is not there, locked until commit; empty when
    /// <c>@ClaimsDigest</c> is null. A lease insert opens with it and takes
    /// <c>(SELECT id FROM claim_set)</c> as its <c>claims_id</c>.
    /// </summary>
    /// <remarks>
    /// The upsert's no-op update only runs when another insert created the set after this statement's
    /// snapshot; it locks that row as the share lock would have.
    /// </remarks>
    public const string PointAtClaimSet = """
        WITH existing_claim_set AS (
            SELECT id FROM workload_claims WHERE digest = @ClaimsDigest FOR KEY SHARE
        ), created_claim_set AS (
            INSERT INTO workload_claims (digest, issuer, claims)
            SELECT @ClaimsDigest, @Issuer, @Claims
            WHERE @ClaimsDigest IS NOT NULL AND NOT EXISTS (SELECT 1 FROM existing_claim_set)
            ON CONFLICT (digest) DO UPDATE SET digest = excluded.digest
            RETURNING id
        ), claim_set AS (
            SELECT id FROM existing_claim_set UNION ALL SELECT id FROM created_claim_set
        )
        """;

    /// <summary>The sets no live lease points at (ended leases keep a dangling id), locked for the prune.</summary>
    public const string LockUnused = $"""
        SELECT id FROM workload_claims c
        WHERE NOT EXISTS (SELECT 1 FROM lease WHERE lease.claims_id = c.id AND {LeaseSql.Live})
        ORDER BY id
        FOR UPDATE SKIP LOCKED
        """;

    /// <summary>Of the sets <see cref="LockUnused"/> locked (<c>@Ids</c>), those no live lease points at even now.</summary>
    public const string DeleteUnused = $"""
        DELETE FROM workload_claims c
        WHERE c.id = ANY(@Ids) AND NOT EXISTS (SELECT 1 FROM lease WHERE lease.claims_id = c.id AND {LeaseSql.Live})
        """;
}
