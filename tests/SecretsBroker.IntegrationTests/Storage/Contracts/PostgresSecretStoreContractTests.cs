using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="SecretStoreContract"/> against PostgreSQL, a new store opened with the broker's least-privileged login.</summary>
public sealed class PostgresSecretStoreContractTests : SecretStoreContract
{
    private PostgresStores postgres = null!;

    protected override async Task<BrokerStores> OpenStoresAsync()
    {
        postgres = await PostgresStores.OpenAsync();
        return postgres.Stores;
    }

    protected override Task<string?> StoredCiphertextAsync(string name, int version) =>
        postgres.QueryScalarAsync<string?>("SELECT ciphertext FROM root_secret_version WHERE name = @Name AND version = @Version", new { Name = name, Version = version });
}
