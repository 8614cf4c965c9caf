using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// The lease rules in SQLite's words, shared by every store that reads or ends leases, so each lives
/// once: the columns, which states are live, the state a reader sees at an instant
/// (<see cref="Lease.EffectiveStateAt"/>), and the inventory's filter.
/// </summary>
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

    /// <summary>A lease that may still be used or minted: what a revocation ends.</summary>
    public const string Live = "state IN ('issuing', 'active')";

    /// <summary>A lease whose credential may still exist downstream: live, or ended and not yet cleaned up.</summary>
    public const string NotCleanedUp = "state IN ('issuing', 'active', 'revoking', 'revoke_failed')";

    /// <summary>Active and past its expiry at <c>@Now</c>: dead already, not yet swept (<see cref="LeaseState.Expired"/> to a reader).</summary>
    public const string ExpiredAtNow = "state = 'active' AND expires_at <= @Now";

    /// <summary>Active and unexpired at <c>@Now</c>: valid at the point of use.</summary>
    public const string ValidAtNow = "state = 'active' AND expires_at > @Now";

    /// <summary>Live at <c>@Now</c>: issuing, or valid.</summary>
    public const string LiveAtNow = $"(state = 'issuing' OR ({ValidAtNow}))";

    /// <summary>Leases a reader sees in <paramref name="state"/> at <c>@Now</c> (bound to <c>@State</c> otherwise).</summary>
    public static string InEffectiveState(string state) => state switch
    {
        LeaseState.Active => ValidAtNow,
        LeaseState.Expired => ExpiredAtNow,
        _ => "state = @State",
    };

    /// <summary>
    /// Only the filters given become conditions (each a bound parameter), so SQLite can page an
    /// identity's leases through lease_by_identity in id order instead of reading every lease.
    /// </summary>
    public static string Page(LeaseFilter filter)
    {
        (object? Given, string Condition)[] filters =
        [
            (filter.Issuer, "issuer = @Issuer"),
            (filter.Subject, "subject = @Subject"),
            (filter.Run, "run_id = @Run"),
            (filter.Role, "role = @Role"),
            (filter.State, filter.State is { } state ? InEffectiveState(state) : ""),
            (filter.BreakGlass, "break_glass = @BreakGlass"),
        ];
        var where = filters.Where(f => f.Given is not null).Select(f => f.Condition).Prepend("id > @After");
        return $"SELECT {Columns} FROM lease WHERE {string.Join(" AND ", where)} ORDER BY id LIMIT @Limit";
    }
}
