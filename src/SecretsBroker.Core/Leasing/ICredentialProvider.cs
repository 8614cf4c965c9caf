using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Mints a credential for a lease from a root secret, and removes it again. A provider is one small
/// class; adding one touches no other.
/// </summary>
public interface ICredentialProvider
{
    /// <summary>The name roles use in the policy (<c>provider: jwt</c>).</summary>
    string Name { get; }

    /// <summary>
    /// True when minting creates something outside the broker (a database role) that must be
    /// removed if the broker crashes mid-issue: such leases are written ahead as <c>issuing</c>. A
    /// credential that exists only in the answer (a signed JWT) cannot be orphaned, and its lease is
    /// written once, as <c>active</c>, before the answer leaves.
    /// </summary>
    bool MintsDownstream { get; }

    /// <summary>
    /// The downstream name of a lease's credential, derived from the lease id alone so that it can be
    /// recorded in the <c>issuing</c> row before anything is minted.
    /// </summary>
    string HandleFor(string leaseId);

    Task<Result<IReadOnlyDictionary<string, string>>> MintAsync(Lease lease, RoleDefinition role, CancellationToken ct);

    /// <summary>Extends the credential to the lease's new expiry; returns new credential values when the old ones cannot be extended (a JWT), else an empty map.</summary>
    Task<Result<IReadOnlyDictionary<string, string>>> RenewAsync(Lease lease, RoleDefinition role, CancellationToken ct);

    /// <summary>Removes the credential. Idempotent: removing one that is already gone succeeds.</summary>
    Task<Result<bool>> RevokeAsync(Lease lease, CancellationToken ct);
}
