using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>The <see cref="AlertOutboxContract"/> against the in-memory fakes.</summary>
public sealed class InMemoryAlertOutboxContractTests : AlertOutboxContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();
}
