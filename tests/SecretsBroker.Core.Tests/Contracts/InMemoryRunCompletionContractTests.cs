using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>The <see cref="RunCompletionContract"/> against the in-memory fakes.</summary>
public sealed class InMemoryRunCompletionContractTests : RunCompletionContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
