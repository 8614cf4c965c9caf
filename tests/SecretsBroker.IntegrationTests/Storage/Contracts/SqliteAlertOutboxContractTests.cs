using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="AlertOutboxContract"/> against SQLite, a migrated temp file behind the group-commit writer.</summary>
public sealed class SqliteAlertOutboxContractTests : AlertOutboxContract
{
    protected override async Task<BrokerStores> OpenStoresAsync() => (await SqliteStores.OpenAsync()).Stores;
}
