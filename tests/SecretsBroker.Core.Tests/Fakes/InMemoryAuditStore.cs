using SecretsBroker.Core.Audit;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>An audit trail in a list, linked by the real chain; tests edit <see cref="Events"/> to tamper.</summary>
internal sealed class InMemoryAuditStore(AuditChain chain) : IAuditStore
{
    public List<AuditEvent> Events { get; } = [];

    public AuditHead? Head { get; set; }

    public Task AppendAsync(AuditRecord record, CancellationToken ct)
    {
        var linked = chain.Link(record, (Head?.Seq ?? 0) + 1, Head?.Mac ?? AuditChain.Genesis);
        Events.Add(linked);
        Head = chain.HeadAt(linked);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEvent>> PageAsync(long afterSeq, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AuditEvent>>(Events.Where(e => e.Seq > afterSeq).OrderBy(e => e.Seq).Take(limit).ToList());

    public Task<AuditHead?> ReadHeadAsync(CancellationToken ct) => Task.FromResult(Head);
}
