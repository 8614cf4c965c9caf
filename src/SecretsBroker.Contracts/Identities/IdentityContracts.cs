using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Contracts.Identities;

/// <summary>Body of <c>POST /v1/identities/revoke</c>: an issuer and either a subject or a claim selector (<c>repository=acme/app</c>).</summary>
public sealed record RevokeIdentityRequest(string Issuer, string? Subject, string? Selector, string Reason, bool Block);

/// <summary>Answer of <c>POST /v1/identities/revoke</c>: how many live leases were ended, and the id to follow their clean-up by.</summary>
public sealed record IdentityRevocationResult(string RevocationId, int Revoked, bool Blocked);

/// <summary>Body of <c>POST /v1/identities/unblock</c>: the same target the block was made with.</summary>
public sealed record UnblockIdentityRequest(string Issuer, string? Subject, string? Selector);

/// <summary>Answer of <c>POST /v1/identities/unblock</c>.</summary>
public sealed record IdentityUnblocked(string Issuer, string? Subject, string? Selector);

/// <summary><c>GET /v1/revocations/{id}</c>: the downstream clean-up of a mass revocation (done = revoked, failed = revoke_failed, pending = revoking).</summary>
public sealed record RevocationStatus(
    string Id, string Issuer, string? Subject, string? Selector, string Reason, bool Blocked, DateTimeOffset At, long Total, long Done, long Failed, long Pending)
{
    public bool Finished => Pending == 0;
}

/// <summary>One workload identity the broker has issued to.</summary>
public sealed record IdentityInfo(
    string Issuer, string Subject, IReadOnlyDictionary<string, string> Claims, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long LiveLeases, bool Blocked);

/// <summary><c>GET /v1/identities</c>: one page; pass <see cref="Next"/> as <c>after</c> for the next.</summary>
public sealed record IdentityPage(IReadOnlyList<IdentityInfo> Identities, long? Next);

/// <summary>A lease in the inventory, with the identity that holds it.</summary>
public sealed record LeaseInventoryItem(string Issuer, string Subject, LeaseInfo Lease);

/// <summary><c>GET /v1/leases</c>: one page; pass <see cref="Next"/> as <c>after</c> for the next.</summary>
public sealed record LeasePage(IReadOnlyList<LeaseInventoryItem> Leases, string? Next);
