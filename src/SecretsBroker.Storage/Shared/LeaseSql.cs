using System.Data;
using Dapper;
using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Storage.Shared;

/// <summary>
/// The lease rules in the SQL both dialects speak, shared by every store that reads or ends leases, so
/// each lives once: the columns, which states are live, the state a reader sees at an instant
/// (<see cref="Lease.EffectiveStateAt"/>), the inventory's filter, and the statements SQLite and
/// PostgreSQL run unchanged.
/// </summary>
internal static class LeaseSql
{
    public const string Columns = """
        id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
        issued_at, expires_at, max_expires_at, renewable, idempotency_key, revoke_reason, revoked_at, break_glass, project
        """;

    /// <summary>The columns a new lease is written with, but its claim set (each dialect finds that id its own way).</summary>
    public const string WrittenColumns = """
        id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
        issued_at, expires_at, max_expires_at, renewable, idempotency_key, break_glass, writer_node, writer_incarnation, project
        """;

    /// <summary>The values of <see cref="WrittenColumns"/>, as <see cref="WriteParameters"/> binds them.</summary>
    public const string WrittenValues = """
        @Id, @Role, @Provider, @Secret, @Handle, @Issuer, @Subject, @RunId, @JobId, @Step, @Purpose, @Rule, @State,
        @IssuedAt, @ExpiresAt, @MaxExpiresAt, @Renewable, @IdempotencyKey, @BreakGlass, @WriterNode, @WriterIncarnation, @Project
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

    /// <summary>Ended and its downstream clean-up not yet done (the predicate of the index lease_cleanup_due).</summary>
    public const string CleaningUp = "state IN ('revoking', 'revoke_failed')";

    /// <summary>Active and past its expiry at <c>@Now</c>: dead already, not yet swept (<see cref="LeaseState.Expired"/> to a reader).</summary>
    public const string ExpiredAtNow = "state = 'active' AND expires_at <= @Now";

    /// <summary>Active and unexpired at <c>@Now</c>: valid at the point of use.</summary>
    public const string ValidAtNow = "state = 'active' AND expires_at > @Now";

    /// <summary>Live at <c>@Now</c>: issuing, or valid.</summary>
    public const string LiveAtNow = $"(state = 'issuing' OR ({ValidAtNow}))";

    /// <summary>Clean-up due at <c>@Now</c>.</summary>
    public const string DueAtNow = $"{CleaningUp} AND next_attempt_at <= @Now";

    public const string InsertCredential = "INSERT INTO lease_credential (lease_id, ciphertext) VALUES (@Id, @Credential)";

    public const string Activate = "UPDATE lease SET state = 'active' WHERE id = @Id AND state = 'issuing'";

    public const string Find = $"SELECT {Columns} FROM lease WHERE id = @Id";

    public const string ReadCredential = """
        SELECT c.ciphertext FROM lease_credential c JOIN lease l ON l.id = c.lease_id
        WHERE c.lease_id = @Id AND l.state = 'active'
        """;

    public const string FindByIdempotencyKey = $"SELECT {Columns} FROM lease WHERE issuer = @Issuer AND subject = @Subject AND idempotency_key = @Key";

    public const string ReplaceCredential = "UPDATE lease_credential SET ciphertext = @Credential WHERE lease_id = @Id";

    public const string Revoke = $"UPDATE lease SET {ToRevoking} WHERE id = @Id AND {Live}";

    // The clean-up's first attempt erases the credential, whatever the target answers: ending many
    // leases at once (expiry, a compromised identity) leaves it to this step to keep that one
    // statement narrow, and a lease that is not active never replays its credential anyway.
    public const string EraseCredential = "DELETE FROM lease_credential WHERE lease_id = @LeaseId";

    public const string CountByState = "SELECT state, count(*) AS n FROM lease GROUP BY state";

    /// <summary>The earliest expiry the sweep has not reached yet: one row off the expiry index, not a scan.</summary>
    public const string OldestUnsweptExpiry = $"SELECT min(expires_at) FROM lease WHERE {ExpiredAtNow}";

    /// <summary>Leases a reader sees in <paramref name="state"/> at <c>@Now</c> (bound to <c>@State</c> otherwise).</summary>
    public static string InEffectiveState(string state) => state switch
    {
        LeaseState.Active => ValidAtNow,
        LeaseState.Expired => ExpiredAtNow,
        _ => "state = @State",
    };

    /// <summary>
    /// Only the filters given become conditions (each a bound parameter), so the database can page an
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

    /// <summary>The arguments of <see cref="Page"/>.</summary>
    public static object PageParameters(LeaseFilter filter, string? after, int limit, Instant now) =>
        new { After = after ?? "", filter.Issuer, filter.Subject, filter.Run, filter.Role, filter.State, filter.BreakGlass, Now = now, Limit = limit };

    /// <summary>
    /// The values a new lease is written with (<see cref="WrittenValues"/>), its sealed credential as
    /// <c>@Credential</c> and its claim set's key as <c>@ClaimsDigest</c> (null without one). The
    /// nullable values carry their type, since PostgreSQL cannot infer one from a bare null.
    /// </summary>
    public static DynamicParameters WriteParameters(Lease lease, string? credentialCiphertext)
    {
        var row = new DynamicParameters(lease);
        row.Add("Credential", credentialCiphertext, DbType.String);
        row.Add("ClaimsDigest", lease.Claims is { } claims ? ClaimSetDigest.Of(lease.Issuer, claims) : null, DbType.String);
        row.Add("WriterNode", lease.Writer?.Node, DbType.String);
        row.Add("WriterIncarnation", lease.Writer?.Incarnation, DbType.String);
        return row;
    }
}
