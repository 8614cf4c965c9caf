using NodaTime;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// One issued credential and its binding: which workload (issuer, subject), which run and job, which
/// step and purpose, under which role and rule. It holds the provider's handle (a role name, a JWT
/// id) and the root secret it was minted from, never the credential itself. A break-glass lease
/// belongs to an operator and its expiry never moves. <see cref="Claims"/> (the workload token's
/// <see cref="Identity.ClaimSet"/>) is stored with a new lease, so a revocation by claim selector finds
/// the leases issued under that claim; it is not read back. <see cref="Writer"/> is the process that wrote
/// a lease ahead as <c>issuing</c>, so the reconciler can tell a row left by an earlier start of its own
/// node from one another node may still be minting; leases committed once, as <c>active</c>, have none.
/// <see cref="Project"/> is the repository or project the workload token names (the issuer dialect's
/// project claim), by which a CI platform's completion webhook finds the run's leases.
/// <see cref="TokenIssuedAt"/> (not stored) is when the workload's token was issued: a store refuses a
/// new lease whose run or job a webhook reported finished at or after that instant.
/// <see cref="MarksIdentitySeen"/> (not stored) asks the store to record the lease's identity as seen,
/// with <see cref="Claims"/> at <see cref="IssuedAt"/>, in the lease's own transaction: the identity is
/// then on record whenever the lease is, for one commit instead of two.
/// </summary>
public sealed record Lease(
    string Id,
    string Role,
    string Provider,
    string Secret,
    string Handle,
    string Issuer,
    string Subject,
    string RunId,
    string? JobId,
    string Step,
    string Purpose,
    string Rule,
    string State,
    Instant IssuedAt,
    Instant ExpiresAt,
    Instant MaxExpiresAt,
    bool Renewable,
    string? IdempotencyKey,
    string? RevokeReason,
    Instant? RevokedAt,
    bool BreakGlass = false,
    string? Claims = null,
    LeaseWriter? Writer = null,
    string? Project = null,
    Instant? TokenIssuedAt = null,
    bool MarksIdentitySeen = false)
{
    /// <summary>Validity at the point of use: active and not yet expired, whatever the jobs have noticed.</summary>
    public bool IsValidAt(Instant now) => State == LeaseState.Active && now < ExpiresAt;

    /// <summary>The state a reader should see: an active lease past its expiry is already dead.</summary>
    public string EffectiveStateAt(Instant now) => State == LeaseState.Active && now >= ExpiresAt ? LeaseState.Expired : State;
}
