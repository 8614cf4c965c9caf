using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>The <see cref="ClaimSetContract"/> against the in-memory fakes.</summary>
public sealed class InMemoryClaimSetContractTests : ClaimSetContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
