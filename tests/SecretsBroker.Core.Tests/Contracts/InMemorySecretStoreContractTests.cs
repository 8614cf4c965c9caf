using SecretsBroker.Core.Tests.Fakes;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

public sealed class InMemorySecretStoreContractTests : SecretStoreContract
{
    protected override Task<BrokerStores> OpenStoresAsync() => InMemoryStores.OpenAsync();

    protected override Task<string?> StoredCiphertextAsync(string name, int version) =>
        Task.FromResult(((InMemorySecretStore)Stores.Secrets).StoredCiphertext(name, version));
}
