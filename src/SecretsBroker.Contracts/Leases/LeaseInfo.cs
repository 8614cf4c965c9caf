namespace SecretsBroker.Contracts.Leases;

/// <summary>
/// A lease as the broker tells it. <see cref="State"/> is one of issuing, active, expired, revoking,
/// revoked, revoke_failed; "expired" is an active lease whose time is up (dead already, not yet swept).
/// </summary>
public sealed record LeaseInfo(
    string Id,
    string Role,
    string State,
    string Run,
    string? Job,
    string Step,
    string Purpose,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset MaxExpiresAt,
    bool Renewable,
    string? RevokeReason,
    bool BreakGlass = false);

/// <summary>Answer of <c>POST /v1/leases</c> and of a renewal: the lease and its credential.</summary>
public sealed record IssuedLeaseResponse(LeaseInfo Lease, IReadOnlyDictionary<string, string> Credential, bool Replayed);

/// <summary>Answer of <c>POST /v1/runs/{run}/complete</c>.</summary>
public sealed record RunCompletion(string Run, int Revoked);
