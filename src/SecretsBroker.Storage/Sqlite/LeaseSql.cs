namespace SecretsBroker.Storage.Sqlite;

/// <summary>SQL fragments every store that reads or ends leases shares, so the rules live once.</summary>
internal static class LeaseSql
{
    public const string Columns = """
        id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
        issued_at, expires_at, max_expires_at, renewable, idempotency_key, revoke_reason, revoked_at, break_glass
        """;

    /// <summary>Ending a lease clears its credential in the same statement, and makes its clean-up due now.</summary>
    public const string ToRevoking = "state = 'revoking', revoke_reason = @Reason, revoked_at = @Now, credential = NULL, next_attempt_at = @Now";
}
