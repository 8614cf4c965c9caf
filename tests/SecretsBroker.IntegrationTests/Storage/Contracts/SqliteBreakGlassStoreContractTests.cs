using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="BreakGlassStoreContract"/> against SQLite, a migrated temp file behind the group-commit writer.</summary>
public sealed class SqliteBreakGlassStoreContractTests : BreakGlassStoreContract
{
    protected override async Task<BrokerStores> OpenStoresAsync() => (await SqliteStores.OpenAsync()).Stores;
}
