using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.KeyRing;
using SecretsBroker.Storage.Sqlite;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Vault;

/// <summary>
/// Someone with a copy of the database and the broker's code, but another master key, gets nothing:
/// the pieces are put together here as such an attacker would, around the key they have.
/// </summary>
public sealed class WrongMasterKeyDecryptionTests
{
    [Fact]
    public async Task A_copy_of_the_database_reveals_its_secrets_to_the_right_master_key_and_not_to_another()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        var fields = BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue());
        using (var admin = broker.Admin())
        {
            using var put = await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", fields));
            put.EnsureSuccessStatusCode();
        }

        var rightKey = MasterKey.TryParse(await File.ReadAllTextAsync(broker.MasterKeyPath))!;
        var inBroker = await broker.Services.GetRequiredService<SecretVault>().RevealAsync(name, CancellationToken.None);
        var withRightKey = await RevealFromCopyAsync(broker, rightKey, name);
        var withAnotherKey = await Record.ExceptionAsync(() => RevealFromCopyAsync(broker, MasterKey.Generate(), name));

        Assert.Equal(fields["password"], inBroker.Value["password"]);
        Assert.Equal(fields["password"], withRightKey["password"]);
        Assert.IsAssignableFrom<CryptographicException>(withAnotherKey);
    }

    [Fact]
    public async Task Another_master_key_cannot_open_a_key_of_the_stored_key_ring()
    {
        await using var broker = await TestBroker.StartAsync();
        using (var admin = broker.Admin())
        {
            using var put = await admin.PutAsJsonAsync($"/v1/secrets/{BrokerFakers.Name("app-db")}", new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = BrokerFakers.SecretValue() }));
            put.EnsureSuccessStatusCode();
        }

        using var raw = broker.OpenRawDatabase();
        var sealedKey = XElement.Parse(raw.QueryFirst<string>("SELECT xml FROM data_protection_key"))
            .Descendants().Single(e => e.Name.LocalName == "masterKeyEncrypted");
        using var anotherKey = new ServiceCollection().AddSingleton(MasterKey.Generate()).BuildServiceProvider();

        var opened = new MasterKeyXmlDecryptor(broker.Services).Decrypt(sealedKey);
        var refused = Record.Exception(() => new MasterKeyXmlDecryptor(anotherKey).Decrypt(sealedKey));

        Assert.Equal("masterKey", opened.Name.LocalName);
        Assert.IsAssignableFrom<CryptographicException>(refused);
    }

    /// <summary>Copies the database (SQLite's online backup) and reads the secret from the copy with <paramref name="key"/>.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> RevealFromCopyAsync(TestBroker broker, MasterKey key, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sb-test-copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var copyPath = Path.Combine(folder, "broker.db");
            using (var source = broker.OpenRawDatabase())
            using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copyPath, Pooling = false }.ToString()))
            {
                copy.Open();
                source.BackupDatabase(copy);
            }

            var db = new SqliteDatabase(copyPath);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(key);
            services.AddDataProtection().SetApplicationName("SecretsBroker");
            services.Configure<KeyManagementOptions>(o =>
            {
                o.XmlRepository = new KeyRingRepository(db.Open);
                o.XmlEncryptor = new MasterKeyXmlEncryptor(() => key);
            });
            await using var provider = services.BuildServiceProvider();
            var store = new SqliteSecretStore(db, new SqliteAuditAppender(new AuditChain(key)));
            var vault = new SecretVault(store, provider.GetRequiredService<IDataProtectionProvider>(), new FakeClock(broker.Clock.GetCurrentInstant()), rotators: [], targetChecks: []);
            var revealed = await vault.RevealAsync(name, CancellationToken.None);
            return revealed.Value;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
