using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Hosting;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Vault;

/// <summary>An existing database opens only with the master key that made it; anything else leaves the broker sealed and the data untouched.</summary>
public sealed class MasterKeySealTests
{
    /// <summary>Every /v1 route the broker maps, with a body where the route takes one.</summary>
    private static readonly (HttpMethod Method, string Path, object? Body)[] V1Endpoints =
    [
        (HttpMethod.Get, "/v1/status", null),
        (HttpMethod.Get, "/v1/secrets", null),
        (HttpMethod.Get, "/v1/secrets/app-db", null),
        (HttpMethod.Put, "/v1/secrets/app-db", new PutSecretRequest("generic", new Dictionary<string, string> { ["password"] = "pw" })),
        (HttpMethod.Delete, "/v1/secrets/app-db", null),
        (HttpMethod.Get, "/v1/tokens", null),
        (HttpMethod.Post, "/v1/tokens", new CreateTokenRequest("ci", ["admin"], null)),
        (HttpMethod.Delete, "/v1/tokens/abc", null),
        (HttpMethod.Get, "/v1/audit", null),
        (HttpMethod.Get, "/v1/audit/verify", null),
    ];

    [Fact]
    public async Task A_broker_restarted_with_another_master_key_stays_sealed_and_serves_only_its_health_checks()
    {
        await using var first = await TestBroker.StartAsync();
        var adminToken = first.AdminToken!;
        await PutSecretAsync(first, adminToken, BrokerFakers.Name("app-db"), BrokerFakers.SecretValue());

        await using var sealedBroker = await first.RestartAsync(new TestBrokerOptions { MasterKeyBase64 = MasterKey.Generate().ToBase64() });

        Assert.True(sealedBroker.IsSealed);
        foreach (var token in new[] { adminToken, null })
        {
            using var client = sealedBroker.Client(token);
            foreach (var (method, path, body) in V1Endpoints)
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                using var response = await client.SendAsync(request);
                var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path} answered {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("broker_sealed", problem!.Code);
            }
        }

        using var anonymous = sealedBroker.Client();
        using var ready = await anonymous.GetAsync("/readyz");
        using var health = await anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("sealed", (await ready.Content.ReadFromJsonAsync<HealthReport>())!.Status);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", (await health.Content.ReadFromJsonAsync<HealthReport>())!.Status);
    }

    [Fact]
    public async Task A_broker_sealed_by_another_master_key_leaves_the_data_folder_byte_for_byte_unchanged()
    {
        await using var first = await TestBroker.StartAsync();
        var adminToken = first.AdminToken!;
        await PutSecretAsync(first, adminToken, BrokerFakers.Name("app-db"), BrokerFakers.SecretValue());
        await first.StopAsync();
        var before = DataFolder.Snapshot(first.DataDirectory);

        await using var sealedBroker = await TestBroker.StartAsync(new TestBrokerOptions
        {
            DataDirectory = first.DataDirectory,
            MasterKeyBase64 = MasterKey.Generate().ToBase64(),
        });
        await KnockOnEveryEndpointAsync(sealedBroker, adminToken);
        var whileSealed = DataFolder.Snapshot(first.DataDirectory);
        await sealedBroker.StopAsync();
        var afterStop = DataFolder.Snapshot(first.DataDirectory);

        Assert.True(sealedBroker.IsSealed);
        Assert.Contains("broker.db", before.Keys);
        Assert.Equal(before, whileSealed);
        Assert.Equal(before, afterStop);
    }

    [Fact]
    public async Task A_broker_sealed_by_another_master_key_after_a_crash_leaves_the_database_and_its_write_ahead_log_unchanged()
    {
        await using var live = await TestBroker.StartAsync();
        await PutSecretAsync(live, live.AdminToken!, BrokerFakers.Name("app-db"), BrokerFakers.SecretValue());
        var crashed = Path.Combine(Path.GetTempPath(), "sb-test-crashed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(crashed);
        try
        {
            // Copying the files of a running broker leaves them as a crash would: commits still in the WAL.
            // The lock file is empty and locked by the live broker; a crash leaves it as it is, unlocked.
            foreach (var file in Directory.EnumerateFiles(live.DataDirectory))
            {
                var name = Path.GetFileName(file);
                await File.WriteAllBytesAsync(Path.Combine(crashed, name), name == BrokerNode.LockFileName ? [] : DataFolder.ReadShared(file));
            }

            var before = DataFolder.Snapshot(crashed);
            Assert.True(new FileInfo(Path.Combine(crashed, "broker.db-wal")).Length > 0, "the copy has no commits in its write-ahead log");

            await using var sealedBroker = await TestBroker.StartAsync(new TestBrokerOptions
            {
                DataDirectory = crashed,
                MasterKeyBase64 = MasterKey.Generate().ToBase64(),
            });
            await KnockOnEveryEndpointAsync(sealedBroker, live.AdminToken!);
            await sealedBroker.StopAsync();
            var after = DataFolder.Snapshot(crashed);

            Assert.True(sealedBroker.IsSealed);
            Assert.Equal(before.Keys, after.Keys);
            Assert.Equal(before["broker.db"], after["broker.db"]);
            Assert.Equal(before["broker.db-wal"], after["broker.db-wal"]);
        }
        finally
        {
            Directory.Delete(crashed, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_master_key_file_keeps_an_existing_database_sealed_and_no_new_key_file_is_made()
    {
        await using var first = await TestBroker.StartAsync();
        await PutSecretAsync(first, first.AdminToken!, BrokerFakers.Name("app-db"), BrokerFakers.SecretValue());
        await first.StopAsync();
        File.Delete(first.MasterKeyPath);
        var before = DataFolder.Snapshot(first.DataDirectory);

        await using var restarted = await TestBroker.StartAsync(new TestBrokerOptions { DataDirectory = first.DataDirectory });
        using var anonymous = restarted.Client();
        using var ready = await anonymous.GetAsync("/readyz");
        await restarted.StopAsync();

        Assert.True(restarted.IsSealed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.False(File.Exists(first.MasterKeyPath), "the broker made a new master key file for an existing database");
        Assert.Equal(before, DataFolder.Snapshot(first.DataDirectory));
        Assert.Contains("SEALED", restarted.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restarting_with_the_right_master_key_after_a_sealed_start_gives_every_secret_back()
    {
        await using var first = await TestBroker.StartAsync();
        var adminToken = first.AdminToken!;
        var stored = new Dictionary<string, Dictionary<string, string>>();
        for (var i = 0; i < 3; i++)
        {
            var name = BrokerFakers.Name("app-db");
            stored[name] = BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue());
            await PutSecretAsync(first, adminToken, name, stored[name]);
        }

        var rightKey = (await File.ReadAllTextAsync(first.MasterKeyPath)).Trim();
        await using var sealedBroker = await first.RestartAsync(new TestBrokerOptions { MasterKeyBase64 = MasterKey.Generate().ToBase64() });
        Assert.True(sealedBroker.IsSealed);

        await using var fromKeyFile = await sealedBroker.RestartAsync();
        await AssertEverySecretComesBackAsync(fromKeyFile, adminToken, stored);

        await using var fromEnvironment = await fromKeyFile.RestartAsync(new TestBrokerOptions { MasterKeyBase64 = rightKey });
        await AssertEverySecretComesBackAsync(fromEnvironment, adminToken, stored);
    }

    private static async Task AssertEverySecretComesBackAsync(TestBroker broker, string adminToken, Dictionary<string, Dictionary<string, string>> stored)
    {
        Assert.False(broker.IsSealed);
        using var admin = broker.Client(adminToken);
        var listed = await admin.GetFromJsonAsync<SecretList>("/v1/secrets");
        Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), listed!.Secrets.Select(s => s.Name));
        var vault = broker.Services.GetRequiredService<SecretVault>();
        foreach (var (name, fields) in stored)
        {
            var revealed = await vault.RevealAsync(name, CancellationToken.None);
            Assert.True(revealed.IsSuccess, $"secret {name} could not be revealed");
            Assert.Equal(fields.OrderBy(f => f.Key, StringComparer.Ordinal), revealed.Value.OrderBy(f => f.Key, StringComparer.Ordinal));
        }
    }

    private static async Task PutSecretAsync(TestBroker broker, string adminToken, string name, string password) =>
        await PutSecretAsync(broker, adminToken, name, BrokerFakers.PostgresAdmin(password));

    private static async Task PutSecretAsync(TestBroker broker, string adminToken, string name, Dictionary<string, string> fields)
    {
        using var admin = broker.Client(adminToken);
        using var response = await admin.PutAsJsonAsync($"/v1/secrets/{name}", new PutSecretRequest("postgresql-admin", fields));
        response.EnsureSuccessStatusCode();
    }

    private static async Task KnockOnEveryEndpointAsync(TestBroker broker, string token)
    {
        using var client = broker.Client(token);
        foreach (var (method, path, body) in V1Endpoints)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        using var ready = await client.GetAsync("/readyz");
        using var health = await client.GetAsync("/healthz");
    }
}
