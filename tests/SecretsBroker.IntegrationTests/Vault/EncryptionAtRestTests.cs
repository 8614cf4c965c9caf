using System.Net.Http.Json;
using System.Text;
using System.Xml.Linq;
using Dapper;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Storage.KeyRing;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Vault;

/// <summary>What lands on disk: ciphertext for every secret value, and a key ring sealed by the master key.</summary>
public sealed class EncryptionAtRestTests
{
    [Fact]
    public async Task No_secret_value_is_in_the_live_database_or_its_write_ahead_log()
    {
        await using var broker = await TestBroker.StartAsync();
        var stored = await StoreSecretsAsync(broker);

        var files = DataFolder.DatabaseFiles(broker.DatabasePath);

        Assert.Contains("broker.db-wal", files.Keys);
        AssertNamesAreFound(files, stored.Keys);
        AssertNoValueIsFound(files, stored.Values.SelectMany(v => v));
    }

    [Fact]
    public async Task No_secret_value_is_in_the_database_file_after_the_broker_stops()
    {
        await using var broker = await TestBroker.StartAsync();
        var stored = await StoreSecretsAsync(broker);

        await broker.StopAsync();
        var files = DataFolder.DatabaseFiles(broker.DatabasePath);

        Assert.Contains("broker.db", files.Keys);
        AssertNamesAreFound(files, stored.Keys);
        AssertNoValueIsFound(files, stored.Values.SelectMany(v => v));
    }

    [Fact]
    public async Task The_key_ring_in_the_database_holds_each_key_only_encrypted_under_the_master_key()
    {
        await using var broker = await TestBroker.StartAsync();
        await StoreSecretsAsync(broker);
        using var raw = broker.OpenRawDatabase();

        var keyRing = raw.Query<string>("SELECT xml FROM data_protection_key").ToList();

        Assert.NotEmpty(keyRing);
        foreach (var xml in keyRing)
        {
            var key = XElement.Parse(xml);
            Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName is "masterKey" or "value");
            var encryptedSecret = Assert.Single(key.Descendants(), e => e.Name.LocalName == "encryptedSecret");
            Assert.Contains(typeof(MasterKeyXmlDecryptor).FullName!, encryptedSecret.Attribute("decryptorType")?.Value, StringComparison.Ordinal);
            var sealedKey = Assert.Single(encryptedSecret.Elements());
            Assert.Equal("masterKeyEncrypted", sealedKey.Name.LocalName);
            Assert.Equal("AES-256-GCM", sealedKey.Attribute("alg")?.Value);

            // What it seals is Data Protection's plaintext key element; its key bytes appear nowhere on disk.
            var opened = new MasterKeyXmlDecryptor(broker.Services).Decrypt(sealedKey);
            Assert.Equal("masterKey", opened.Name.LocalName);
            var keyMaterial = Assert.Single(opened.Descendants(), e => e.Name.LocalName == "value").Value;
            Assert.False(string.IsNullOrWhiteSpace(keyMaterial));
            var files = DataFolder.DatabaseFiles(broker.DatabasePath);
            AssertNotFound(files, "key ring key as base64", Encoding.ASCII.GetBytes(keyMaterial));
            AssertNotFound(files, "key ring key as bytes", Convert.FromBase64String(keyMaterial));
        }
    }

    [Fact]
    public async Task A_replaced_or_deleted_secret_leaves_no_ciphertext_in_the_database_file_once_the_broker_stops()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var replacedName = BrokerFakers.Name("app-db");
        var deletedName = BrokerFakers.Name("old-db");
        await PutAsync(admin, replacedName);
        await PutAsync(admin, deletedName);
        var replaced = CurrentCiphertext(broker, replacedName);
        var deleted = CurrentCiphertext(broker, deletedName);

        await PutAsync(admin, replacedName);
        (await admin.DeleteAsync($"/v1/secrets/{deletedName}")).EnsureSuccessStatusCode();
        var current = CurrentCiphertext(broker, replacedName);
        await broker.StopAsync();
        var files = DataFolder.DatabaseFiles(broker.DatabasePath);

        Assert.True(files.Values.Any(bytes => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(current)) >= 0), "the current ciphertext is not found: the search does not see the stored rows");
        AssertNotFound(files, "ciphertext of a replaced version", Encoding.ASCII.GetBytes(replaced));
        AssertNotFound(files, "ciphertext of a deleted secret", Encoding.ASCII.GetBytes(deleted));
    }

    /// <summary>Five secrets of both types, each value distinct; returns name → the values stored under it.</summary>
    private static async Task<Dictionary<string, List<string>>> StoreSecretsAsync(TestBroker broker)
    {
        using var admin = broker.Admin();
        var stored = new Dictionary<string, List<string>>();
        for (var i = 0; i < 5; i++)
        {
            var name = BrokerFakers.Name(i % 2 == 0 ? "app-db" : "api-key");
            var request = i % 2 == 0
                ? new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue()))
                : new PutSecretRequest("generic", new Dictionary<string, string> { ["key"] = BrokerFakers.SecretValue(), ["signing-key"] = BrokerFakers.SecretValue() });
            using var response = await admin.PutAsJsonAsync($"/v1/secrets/{name}", request);
            response.EnsureSuccessStatusCode();
            stored[name] = request.Fields.Where(f => f.Value.StartsWith("S3CRET-", StringComparison.Ordinal)).Select(f => f.Value).ToList();
        }

        return stored;
    }

    private static async Task PutAsync(HttpClient admin, string name)
    {
        using var response = await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue())));
        response.EnsureSuccessStatusCode();
    }

    private static string CurrentCiphertext(TestBroker broker, string name)
    {
        using var raw = broker.OpenRawDatabase();
        return raw.QuerySingle<string>(
            "SELECT v.ciphertext FROM root_secret s JOIN root_secret_version v ON v.name = s.name AND v.version = s.current_version WHERE s.name = @Name",
            new { Name = name });
    }

    /// <summary>The names are stored in clear: finding them shows the search reads the bytes the rows went to.</summary>
    private static void AssertNamesAreFound(IReadOnlyDictionary<string, byte[]> files, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var needle = Encoding.UTF8.GetBytes(name);
            Assert.True(files.Values.Any(bytes => bytes.AsSpan().IndexOf(needle) >= 0), $"secret name {name} not found: the search does not see the stored rows");
        }
    }

    private static void AssertNoValueIsFound(IReadOnlyDictionary<string, byte[]> files, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            // The GUID tail survives JSON escaping of the rest of the value, so it is searched for on its own too.
            foreach (var text in new[] { value, value[^32..] })
            {
                AssertNotFound(files, "UTF-8", Encoding.UTF8.GetBytes(text));
                AssertNotFound(files, "UTF-16LE", Encoding.Unicode.GetBytes(text));
                AssertNotFound(files, "UTF-16BE", Encoding.BigEndianUnicode.GetBytes(text));
                foreach (var base64 in Base64Forms(Encoding.UTF8.GetBytes(text)))
                {
                    AssertNotFound(files, "base64", Encoding.ASCII.GetBytes(base64));
                }
            }
        }
    }

    /// <summary>
    /// The value's base64 at each of the three byte offsets it could sit at inside a longer encoded
    /// text, trimmed to the characters that depend on the value alone.
    /// </summary>
    private static IEnumerable<string> Base64Forms(byte[] value)
    {
        for (var offset = 0; offset < 3; offset++)
        {
            var encoded = Convert.ToBase64String([.. new byte[offset], .. value]);
            var firstGroup = offset == 0 ? 0 : 1;
            var lastGroup = (offset + value.Length) / 3;
            yield return encoded[(firstGroup * 4)..(lastGroup * 4)];
        }
    }

    private static void AssertNotFound(IReadOnlyDictionary<string, byte[]> files, string form, byte[] needle)
    {
        foreach (var (file, bytes) in files)
        {
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds a secret ({form})");
        }
    }
}
