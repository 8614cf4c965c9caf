using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

public sealed class InMemoryLeaseStoreContractTests : LeaseStoreContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
