using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="RunCompletionContract"/> against SQLite, a migrated temp file behind the group-commit writer.</summary>
public sealed class SqliteRunCompletionContractTests : RunCompletionContract
{
    protected override async Task<BrokerStores> OpenStoresAsync() => (await SqliteStores.OpenAsync()).Stores;
}
