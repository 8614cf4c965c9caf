using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>The <see cref="IdentityStoreContract"/> against the in-memory fakes.</summary>
public sealed class InMemoryIdentityStoreContractTests : IdentityStoreContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
