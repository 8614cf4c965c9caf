using SecretsBroker.Core.Tests.Fakes;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>The in-memory trail promises no append-only list: tampering edits its events as a test would.</summary>
public sealed class InMemoryAuditStoreContractTests : AuditStoreContract
{
    private InMemoryAuditStore Trail => (InMemoryAuditStore)Stores.Audit;

    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();

    protected override Task EditStoredEventAsync(long seq)
    {
        var i = Trail.Events.FindIndex(e => e.Seq == seq);
        Trail.Events[i] = Trail.Events[i] with { Actor = "token:forged" };
        return Task.CompletedTask;
    }

    protected override Task DeleteStoredEventsAsync(long fromSeq, long toSeq)
    {
        Trail.Events.RemoveAll(e => e.Seq >= fromSeq && e.Seq <= toSeq);
        return Task.CompletedTask;
    }

    protected override Task MoveHeadBackAsync(long seq)
    {
        Trail.Head = Trail.Head! with { Seq = seq, Mac = Trail.Events.Single(e => e.Seq == seq).Mac };
        return Task.CompletedTask;
    }
}
