using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// Break-glass requests at rest; every state change commits with its audit event. The alerts a change
/// raises are stored in its transaction and delivered from the <see cref="IAlertOutbox"/>.
/// </summary>
public interface IBreakGlassStore
{
    Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct);

    Task<BreakGlassRequest?> FindAsync(string id, CancellationToken ct);

    /// <summary><c>pending</c> → <c>approved</c> by <paramref name="approver"/> while the window is open; false otherwise.</summary>
    Task<bool> ApproveAsync(string id, string approver, Instant now, AuditRecord record, CancellationToken ct);

    /// <summary>
    /// Records the issued lease (state <c>issued</c>) with its <paramref name="alert"/> in one transaction, or
    /// <c>failed</c> when <paramref name="leaseId"/> is null; false when the request was no longer <c>approved</c>
    /// (a request the sweep settled as <c>failed</c> still becomes <c>issued</c> when its lease turns up).
    /// </summary>
    Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct);

    /// <summary>
    /// Requests left <c>approved</c> since before <paramref name="approvedBefore"/> (their issuance died with its
    /// process), except those whose lease is still <c>issuing</c>, each with whether its lease is active.
    /// </summary>
    Task<IReadOnlyList<(string Id, bool LeaseLive)>> StrandedAsync(Instant approvedBefore, int batch, CancellationToken ct);

    /// <summary>Records, once, that the requester collected the credential of an approved, issued request; false otherwise.</summary>
    Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct);

    /// <summary>Records the review of an issued request once; false when it was already reviewed or never issued.</summary>
    Task<bool> ReviewAsync(string id, string reviewer, string outcome, string? notes, Instant now, AuditRecord record, CancellationToken ct);

    /// <summary>Pending requests past their window to <c>expired</c>, each with its <paramref name="recordFor"/> audit event; returns how many.</summary>
    Task<int> ExpirePendingAsync(Instant now, Func<string, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>
    /// Most recent first, starting after the request <paramref name="after"/> (none: from the newest);
    /// only issued, unreviewed ones when <paramref name="unreviewedOnly"/>.
    /// </summary>
    Task<IReadOnlyList<BreakGlassRequest>> ListAsync(bool unreviewedOnly, string? after, int limit, CancellationToken ct);

    /// <summary>Issued, unreviewed requests made before <paramref name="requestedBefore"/> whose last reminder (if any) was before <paramref name="remindedBefore"/>.</summary>
    Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct);

    /// <summary>
    /// Records the reminder and stores its <paramref name="alert"/> in one transaction, only while the
    /// request is still issued, unreviewed and not reminded after <paramref name="remindedBefore"/>: of
    /// two nodes sweeping at once, one raises the reminder and the other finds it done (false).
    /// </summary>
    Task<bool> MarkRemindedAsync(string id, Instant remindedBefore, Instant now, BreakGlassAlert alert, CancellationToken ct);

    /// <summary>How many requests are pending and still inside their approval window at <paramref name="now"/>, and how many issued ones are unreviewed.</summary>
    Task<BreakGlassBacklog> CountBacklogAsync(Instant now, CancellationToken ct);
}
