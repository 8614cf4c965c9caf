using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

public sealed class InMemoryLeaseInventoryContractTests : LeaseInventoryContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
