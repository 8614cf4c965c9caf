using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

public sealed class SqliteLeaseInventoryContractTests : LeaseInventoryContract
{
    protected override async Task<BrokerStores> OpenStoresAsync() => (await SqliteStores.OpenAsync()).Stores;
}
