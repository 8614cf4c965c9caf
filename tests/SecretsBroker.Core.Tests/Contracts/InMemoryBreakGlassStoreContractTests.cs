using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>The <see cref="BreakGlassStoreContract"/> against the in-memory fakes.</summary>
public sealed class InMemoryBreakGlassStoreContractTests : BreakGlassStoreContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
