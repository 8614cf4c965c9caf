using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

public sealed class InMemoryOperatorTokenStoreContractTests : OperatorTokenStoreContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
