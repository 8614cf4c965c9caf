namespace SecretsBroker.Core.Audit;

/// <summary>The append-only audit trail. Writes that change state append through their own store's transaction.</summary>
public interface IAuditStore
{
    /// <summary>Appends a record that goes with no other change (a denied or rejected request).</summary>
    Task AppendAsync(AuditRecord record, CancellationToken ct);

    /// <summary>Events with <c>seq</c> greater than <paramref name="afterSeq"/>, oldest first.</summary>
    Task<IReadOnlyList<AuditEvent>> PageAsync(long afterSeq, int limit, CancellationToken ct);

    Task<AuditHead?> ReadHeadAsync(CancellationToken ct);
}
