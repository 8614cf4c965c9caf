namespace SecretsBroker.Storage.Sqlite;

/// <summary>SQL fragments every store that reads or ends leases shares, so the rules live once.</summary>
internal static class LeaseSql
{
    public const string Columns = """
        id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
        issued_at, expires_at, max_expires_at, renewable, idempotency_key, revoke_reason, revoked_at, break_glass
        """;

    /// <summary>
    /// Ending a lease makes its clean-up due now. Only the narrow lease row changes: the sealed
    /// credential (in lease_credential) is never replayed once the lease is not active, and is erased
    /// by the revoking statement where that touches one lease or one run, else by the first clean-up attempt.
    /// </summary>
    public const string ToRevoking = "state = 'revoking', revoke_reason = @Reason, revoked_at = @Now, next_attempt_at = @Now";
}
