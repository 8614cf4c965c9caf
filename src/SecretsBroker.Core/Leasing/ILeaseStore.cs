using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Leases at rest, in indexed tables, never all in memory. Every state change that answers a
/// request commits with its audit event; bulk changes are single statements.
/// </summary>
public interface ILeaseStore
{
    /// <summary>
    /// Commits a new lease with its audit event: as <c>issuing</c> (no credential yet) before a
    /// provider mints downstream, or as <c>active</c> with its credential ciphertext. Nothing is written
    /// when the idempotency key is taken, or when a completion of the lease's run (or job) in its project
    /// was recorded at or after <see cref="Lease.TokenIssuedAt"/> (<see cref="Completion.IRunCompletionStore"/>).
    /// </summary>
    Task<LeaseInsert> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct);

    /// <summary><c>issuing</c> → <c>active</c>, keeping the credential (already ciphertext) for idempotent replays.</summary>
    Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct);

    Task<Lease?> FindAsync(string id, CancellationToken ct);

    /// <summary>The stored credential ciphertext of a live lease, for an idempotent replay.</summary>
    Task<string?> ReadCredentialAsync(string id, CancellationToken ct);

    Task<Lease?> FindByIdempotencyKeyAsync(string issuer, string subject, string key, CancellationToken ct);

    /// <summary>An active lease with the same binding as <paramref name="binding"/> issued at or after <paramref name="since"/>, for a retried request without a key.</summary>
    Task<Lease?> FindReusableAsync(Lease binding, Instant since, CancellationToken ct);

    /// <summary>Moves the expiry of an active lease; false when it is no longer active or already expired.</summary>
    Task<bool> RenewAsync(string id, Instant newExpiry, Instant now, string? credentialCiphertext, AuditRecord record, CancellationToken ct);

    /// <summary>One lease to <c>revoking</c> with its audit event; false when it was not live.</summary>
    Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct);

    /// <summary>
    /// Every live lease of a run to <c>revoking</c> with <paramref name="reason"/>, in one statement with the
    /// audit event <paramref name="recordFor"/> makes of the count; returns how many.
    /// </summary>
    Task<int> RevokeRunAsync(string issuer, string runId, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>
    /// Up to <paramref name="batch"/> active leases past their expiry to <c>revoking</c> with
    /// <paramref name="reason"/>; when there were any, <paramref name="recordFor"/> of the count is audited
    /// with them. Returns how many.
    /// </summary>
    Task<int> SweepExpiredAsync(Instant now, int batch, string reason, Func<int, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>
    /// <c>issuing</c> rows written ahead by <paramref name="node"/> under any incarnation but
    /// <paramref name="exceptIncarnation"/>, whatever their age, to <c>revoking</c> with
    /// <paramref name="reason"/>, in one statement; when there were any, <paramref name="recordFor"/> of the
    /// count is audited with them. Returns how many.
    /// </summary>
    Task<int> ReclaimIssuingOfNodeAsync(string node, string exceptIncarnation, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>
    /// <c>issuing</c> rows issued before <paramref name="issuedBefore"/> (a crash between write-ahead and
    /// activation), whoever wrote them, to <c>revoking</c> with <paramref name="reason"/>, in one
    /// statement; when there were any, <paramref name="recordFor"/> of the count is audited with them. Returns how many.
    /// </summary>
    Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>
    /// Claims up to <paramref name="batch"/> leases whose downstream clean-up is due (<c>revoking</c> or
    /// <c>revoke_failed</c> with the next attempt at or before now), longest due first: each is due again
    /// only <see cref="LeaseRevocation.ClaimedFor"/> after <paramref name="now"/> unless its outcome is
    /// recorded first, so callers on several nodes at once are handed disjoint leases.
    /// </summary>
    Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct);

    /// <summary>Records the outcome of one clean-up pass in one transaction.</summary>
    Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct);

    Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct);

    /// <summary>The expiry of the longest-expired lease still <c>active</c> at <paramref name="now"/> (the sweep has not reached it); null when there is none.</summary>
    Task<Instant?> OldestUnsweptExpiryAsync(Instant now, CancellationToken ct);

    /// <summary>Which of <paramref name="candidates"/> belong to a live lease of <paramref name="provider"/> (issuing, active, revoking or revoke_failed).</summary>
    Task<IReadOnlySet<string>> LiveHandlesAsync(string provider, IReadOnlyCollection<string> candidates, CancellationToken ct);
}

/// <summary>A lease due for downstream clean-up, with how often it has failed so far.</summary>
public sealed record LeaseRevocation(Lease Lease, int Attempts)
{
    /// <summary>
    /// How long a lease handed out for clean-up stays with its caller. As long as the longest retry
    /// backoff (<see cref="Jobs.RevocationBackoff.Default"/>): a lease whose node died mid-pass is retried
    /// no later than one whose target keeps failing.
    /// </summary>
    public static Duration ClaimedFor { get; } = Duration.FromMinutes(5);
}

/// <summary>What one clean-up attempt did: revoked, or failed with the next attempt time (and whether it now counts as <c>revoke_failed</c>).</summary>
public sealed record RevocationOutcome(string LeaseId, bool Revoked, int Attempts, Instant? NextAttemptAt, bool Failed, Instant At);
