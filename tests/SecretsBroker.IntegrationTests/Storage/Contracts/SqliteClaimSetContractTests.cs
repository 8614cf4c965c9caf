using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="ClaimSetContract"/> against SQLite, a migrated temp file behind the group-commit writer.</summary>
public sealed class SqliteClaimSetContractTests : ClaimSetContract
{
    protected override async Task<BrokerStores> OpenStoresAsync() => (await SqliteStores.OpenAsync()).Stores;
}
