using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

public sealed class SqliteSecretStoreContractTests : SecretStoreContract
{
    private SqliteStores sqlite = null!;

    protected override async Task<BrokerStores> OpenStoresAsync()
    {
        sqlite = await SqliteStores.OpenAsync();
        return sqlite.Stores;
    }

    protected override Task<string?> StoredCiphertextAsync(string name, int version) =>
        sqlite.QueryScalarAsync<string?>("SELECT ciphertext FROM root_secret_version WHERE name = @Name AND version = @Version", new { Name = name, Version = version });
}
