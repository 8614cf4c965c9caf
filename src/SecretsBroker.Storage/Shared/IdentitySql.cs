namespace SecretsBroker.Storage.Shared;

/// <summary>The identity store's statements that SQLite and PostgreSQL run unchanged.</summary>
internal static class IdentitySql
{
    public const string Page = $"""
        SELECT i.seq, i.issuer, i.subject, i.claims, i.first_seen, i.last_seen,
               (SELECT count(*) FROM lease l WHERE l.issuer = i.issuer AND l.subject = i.subject AND {LeaseSql.LiveAtNow}) AS live_leases
        FROM workload_identity i WHERE i.seq > @After ORDER BY i.seq LIMIT @Limit
        """;

    public const string InsertRevocation = """
        INSERT INTO identity_revocation (id, issuer, subject, claim_name, claim_value, reason, blocked, total, at)
        VALUES (@Id, @Issuer, @Subject, @ClaimName, @ClaimValue, @Reason, @Blocked, @Total, @At)
        """;

    // Settled by the key, so two nodes blocking one target at once leave one rule, the later revocation's.
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
               coalesce(sum(CASE WHEN state = 'revoked' THEN 1 ELSE 0 END), 0) AS done,
               coalesce(sum(CASE WHEN state = 'revoke_failed' THEN 1 ELSE 0 END), 0) AS failed,
               coalesce(sum(CASE WHEN state = 'revoking' THEN 1 ELSE 0 END), 0) AS pending
        FROM lease WHERE revocation_id = @Id
        """;
}
