using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// An audit trail in a list, linked by the real chain, its instants at the stored precision (proven by
/// the audit store contract). The other fakes append through <see cref="Append"/>
/// inside their own critical section, as a database store appends in the transaction of its change;
/// tests edit <see cref="Events"/> and <see cref="Head"/> to tamper.
/// </summary>
internal sealed class InMemoryAuditStore(AuditChain chain) : IAuditStore
{
    private readonly object gate = new();

    /// <summary>A trail of its own, under a new key.</summary>
    public InMemoryAuditStore()
        : this(new AuditChain(MasterKey.Generate()))
    {
    }

    public AuditChain Chain => chain;

    public List<AuditEvent> Events { get; } = [];

    public AuditHead? Head { get; set; }

    public void Append(AuditRecord record)
    {
        lock (gate)
        {
            var linked = chain.Link(record with { At = record.At.AtStoredPrecision() }, (Head?.Seq ?? 0) + 1, Head?.Mac ?? AuditChain.Genesis);
            Events.Add(linked);
            Head = chain.HeadAt(linked);
        }
    }

    public Task AppendAsync(AuditRecord record, CancellationToken ct)
    {
        Append(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEvent>> PageAsync(long afterSeq, int limit, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<AuditEvent>>(Events.Where(e => e.Seq > afterSeq).OrderBy(e => e.Seq).Take(limit).ToList());
        }
    }

    public Task<AuditHead?> ReadHeadAsync(CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Head);
        }
    }
}
