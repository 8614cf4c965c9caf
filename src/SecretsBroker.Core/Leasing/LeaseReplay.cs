using NodaTime;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Answers a repeated request with the lease it already got (same idempotency key, or the same
/// binding within the reuse window): the stored credential unsealed, never a second one minted.
/// </summary>
public sealed class LeaseReplay(ILeaseStore store, CredentialSeal seal, IClock clock)
{
    public async Task<Result<IssuedLease>> ReplayAsync(Lease lease, Instant now, CancellationToken ct)
    {
        if (lease.State == LeaseState.Issuing)
        {
            // The first request with this key is still minting: like other idempotency-key APIs,
            // answer 409 and let the client retry, rather than mint a second credential.
            return BrokerError.Conflict(ErrorCodes.RequestInProgress, "A request for this lease is still being processed; retry shortly.");
        }

        if (!lease.IsValidAt(now) || await store.ReadCredentialAsync(lease.Id, ct) is not { } sealedCredential)
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease this request repeats is no longer active.");
        }

        return new IssuedLease(lease, seal.Unseal(lease.Id, sealedCredential), Replayed: true);
    }

    /// <summary>Another request with the same idempotency key committed first: answer with its lease.</summary>
    public async Task<Result<IssuedLease>> ReplayRacedAsync(WorkloadIdentity? who, string? key, Instant now, CancellationToken ct)
    {
        var raced = key is null || who is null ? null : await store.FindByIdempotencyKeyAsync(who.Issuer, who.Subject, key, ct);
        return raced is null
            ? BrokerError.Conflict(ErrorCodes.RequestInProgress, "The idempotency key is in use.")
            : await ReplayAsync(raced, now, ct);
    }

    /// <summary>The credential of a live lease, unsealed again (a break-glass requester collecting an approved lease).</summary>
    internal async Task<Result<IssuedLease>> CredentialOfAsync(string leaseId, CancellationToken ct) =>
        await store.FindAsync(leaseId, ct) is { } lease
            ? await ReplayAsync(lease, clock.GetCurrentInstant(), ct)
            : BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease is no longer active.");
}
