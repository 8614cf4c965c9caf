using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="RunCompletionContract"/> against PostgreSQL, a new store opened with the broker's least-privileged login.</summary>
public sealed class PostgresRunCompletionContractTests : RunCompletionContract
{
    protected override async Task<BrokerStores> OpenStoresAsync() => (await PostgresStores.OpenAsync()).Stores;
}
