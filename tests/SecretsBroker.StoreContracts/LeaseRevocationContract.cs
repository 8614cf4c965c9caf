using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What the contracts that end leases by identity share: leases of one workload issued under a claim
/// set, revocations of a target as Core builds them, and the records they commit.
/// </summary>
public abstract class LeaseRevocationContract : StoreContract
{
    protected const string Issuer = "github";

    /// <summary>A claim set most leases here are issued under, where the claims are not the point.</summary>
    protected const string SomeClaimSet = """{"repository":"acme/app"}""";

    protected static IReadOnlyDictionary<string, string> Claims(params (string Name, string Value)[] claims) =>
        claims.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);

    protected static IdentityTarget SubjectTarget(string subject, string issuer = Issuer) => new(issuer, subject, null, null);

    protected static IdentityTarget ClaimTarget(string name, string value, string issuer = Issuer) => new(issuer, null, name, value);

    /// <summary>A lease of <paramref name="subject"/> committed now under <paramref name="claimSet"/> (none when null).</summary>
    protected async Task<Lease> IssueAsync(
        string subject, string state = LeaseState.Active, Duration? ttl = null, string issuer = Issuer, string? claimSet = SomeClaimSet)
    {
        var lease = NewLease(state, ttl) with { Issuer = issuer, Subject = subject, Claims = claimSet };
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(lease, null, NewRecord(AuditActions.LeaseIssue, "lease:" + lease.Id), default));
        return lease;
    }

    /// <summary>A lease of <paramref name="subject"/> issued under exactly <paramref name="claims"/>, as a token's claim set.</summary>
    protected Task<Lease> IssueUnderAsync(string subject, IReadOnlyDictionary<string, string> claims, string state = LeaseState.Active, string issuer = Issuer) =>
        IssueAsync(subject, state, issuer: issuer, claimSet: ClaimSet.Canonical(claims));

    /// <summary>Ends <paramref name="lease"/> as its caller would, before any identity revocation.</summary>
    protected async Task EndByCallerAsync(Lease lease) =>
        Assert.True(await Stores.Leases.RevokeAsync(lease.Id, RevokeReasons.RevokedByCaller, Now, NewRecord(AuditActions.LeaseRevoke, "lease:" + lease.Id), default));

    /// <summary>A revocation of <paramref name="target"/> made now, as Core's IdentityResponse makes one.</summary>
    protected IdentityRevocation Revocation(
        IdentityTarget target, bool block = false, string reason = "token stolen", string leaseReason = RevokeReasons.IdentityRevoked)
    {
        var id = "rev_" + Guid.NewGuid().ToString("N")[..24];
        return new IdentityRevocation(id, target, reason, block ? new BlockRule(target, reason, id, Now) : null, leaseReason, Now);
    }

    /// <summary>The record of <paramref name="revocation"/> before the store completes it with its count.</summary>
    protected AuditRecord RecordOf(IdentityRevocation revocation) =>
        NewRecord(AuditActions.IdentityRevoke, $"{revocation.Target.Describe} revocation:{revocation.Id}") with { Reason = revocation.Reason };

    protected Task<int> RevokeAsync(IdentityRevocation revocation) =>
        Stores.Identities.RevokeAsync(revocation, RecordOf(revocation).WithLeaseCount, default);

    protected async Task<Lease> FindAsync(Lease lease) =>
        await Stores.Leases.FindAsync(lease.Id, default) ?? throw new InvalidOperationException($"Lease {lease.Id} is gone.");

    /// <summary>Asserts that each lease was ended by <paramref name="revocation"/>: revoking, with its lease reason and instant.</summary>
    protected async Task AssertEndedByAsync(IdentityRevocation revocation, params Lease[] leases)
    {
        foreach (var lease in leases)
        {
            var stored = await FindAsync(lease);
            Assert.Equal((LeaseState.Revoking, revocation.LeaseReason, Stored(revocation.At)), (stored.State, stored.RevokeReason, stored.RevokedAt));
        }
    }

    /// <summary>Asserts that each lease is still as it was issued.</summary>
    protected async Task AssertUntouchedAsync(params Lease[] leases)
    {
        foreach (var lease in leases)
        {
            var stored = await FindAsync(lease);
            Assert.Equal((lease.State, (string?)null, (Instant?)null), (stored.State, stored.RevokeReason, stored.RevokedAt));
        }
    }
}
