using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Core.Secrets;
using SecretsBroker.IntegrationTests.Storage.Contracts;
using SecretsBroker.Storage.KeyRing;
using SecretsBroker.Storage.Postgres;

namespace SecretsBroker.IntegrationTests.Storage;

/// <summary>
/// The Data Protection key ring in the PostgreSQL store, as two broker nodes share it: each node opens
/// the store on its own pool, and a key either node makes is one both read.
/// </summary>
public sealed class PostgresKeyRingTests : IAsyncLifetime
{
    private PostgresStores store = null!;
    private PostgresDatabase otherNode = null!;

    public async Task InitializeAsync()
    {
        store = await PostgresStores.OpenAsync();
        otherNode = new PostgresDatabase(store.Login.ConnectionString, store.Login.Schema);
    }

    public async Task DisposeAsync()
    {
        await otherNode.DisposeAsync();
        await store.DisposeAsync();
    }

    [Fact]
    public void Keys_stored_through_either_node_are_read_by_both()
    {
        var first = new KeyRingRepository(store.Database.Open);
        var second = new KeyRingRepository(otherNode.Open);

        first.StoreElement(Key("a"), "key-a");
        second.StoreElement(Key("b"), "key-b");

        Assert.Equal(["a", "b"], first.GetAllElements().Select(IdOf));
        Assert.Equal(["a", "b"], second.GetAllElements().Select(IdOf));
    }

    [Fact]
    public async Task A_key_stored_by_both_nodes_at_once_under_one_name_is_kept_once_without_an_error()
    {
        var nodes = new[] { new KeyRingRepository(store.Database.Open), new KeyRingRepository(otherNode.Open) };

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.StoreElement(Key("same"), "key-same"))));

        Assert.Equal(["same"], nodes[0].GetAllElements().Select(IdOf));
        Assert.Equal(["same"], nodes[1].GetAllElements().Select(IdOf));
    }

    [Fact]
    public async Task A_value_protected_on_one_node_is_unprotected_on_the_other()
    {
        var masterKey = MasterKey.Generate();
        await using var first = DataProtectionOver(store.Database, masterKey);
        await using var second = DataProtectionOver(otherNode, masterKey);
        var protectedValue = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hunter2");

        var unprotected = second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedValue);

        Assert.Equal("hunter2", unprotected);
    }

    private static XElement Key(string id) => new("key", new XAttribute("id", id));

    private static string IdOf(XElement key) => (string)key.Attribute("id")!;

    private static ServiceProvider DataProtectionOver(PostgresDatabase db, MasterKey masterKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(masterKey);
        services.AddDataProtection().SetApplicationName("SecretsBroker");
        services.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new KeyRingRepository(db.Open);
            o.XmlEncryptor = new MasterKeyXmlEncryptor(() => masterKey);
        });
        return services.BuildServiceProvider();
    }
}
