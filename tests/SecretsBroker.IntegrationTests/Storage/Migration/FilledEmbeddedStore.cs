using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Identities;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Storage.Migration;

/// <summary>
/// A stopped broker's data folder with something in every table, made once through the real broker's
/// API: secrets with several versions, operator tokens (one revoked), CI leases (active, revoked, and
/// ended by a revocation that blocked their identity), a claim-selector block, a break-glass lease whose
/// alert reached a webhook and a request still pending, and a trail of a few thousand audit events.
/// Each test moves its own copy of the folder.
/// </summary>
public sealed class FilledEmbeddedStore : IAsyncLifetime
{
    public const int BulkAuditEvents = 3000;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "sb-filled-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var world = await BreakGlassWorld.StartAsync(receiver.Settings());
        await FillAsync(world, receiver);
        await world.Broker.StopAsync();
        CopyFolder(world.Broker.DataDirectory, Folder);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A copy of the folder, byte for byte, for one test to move.</summary>
    public string CopyForTest()
    {
        var copy = Path.Combine(Path.GetTempPath(), "sb-move-" + Guid.NewGuid().ToString("N"));
        CopyFolder(Folder, copy);
        return copy;
    }

    private static async Task FillAsync(LeasingBroker world, WebhookReceiver receiver)
    {
        var broker = world.Broker;
        using var admin = broker.Admin();
        await world.PutSigningKeyAsync();
        foreach (var password in (string[])["first-Pa55", "second-Pa55", "third-Pa55"])
        {
            using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/app-db-password", new PutSecretRequest("generic", new Dictionary<string, string> { ["password"] = password }));
            put.EnsureSuccessStatusCode();
        }

        using var security = broker.Client(await broker.CreateTokenAsync("security-team", "security"));
        using (var created = await admin.PostAsJsonAsync(Routes.Tokens, new CreateTokenRequest("retired", ["admin"], null)))
        {
            var retired = (await created.Content.ReadFromJsonAsync<CreatedToken>())!;
            using var revoke = await admin.DeleteAsync($"{Routes.Tokens}/{retired.Id}");
            revoke.EnsureSuccessStatusCode();
        }

        using var runner = world.Runner();
        var leases = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            leases.Add((await world.IssueAsync(runner, "deploy", purpose: $"smoke-{i}")).Lease.Id);
        }

        foreach (var id in leases.Take(4))
        {
            using var revoke = await runner.DeleteAsync($"{Routes.Leases}/{id}");
            revoke.EnsureSuccessStatusCode();
        }

        const string stolen = "repo:acme/forked:ref:refs/heads/main";
        using var thief = world.RunnerWithSubject(stolen);
        for (var i = 0; i < 3; i++)
        {
            await world.IssueAsync(thief, "deploy", purpose: $"stolen-{i}");
        }

        await RevokeAsync(security, new RevokeIdentityRequest("github", stolen, null, "token leaked in a build log", Block: true));
        await RevokeAsync(security, new RevokeIdentityRequest("github", null, "actor=mallory", "laptop stolen", Block: true));

        using var oncall = await world.OperatorAsync("oncall");
        using (var solo = await oncall.BreakGlassAsync(BreakGlassWorld.Solo))
        {
            solo.EnsureSuccessStatusCode();
        }

        await receiver.NextAsync();
        using (var pending = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson))
        {
            pending.EnsureSuccessStatusCode();
        }

        await RecordRunCompletionAsync(broker);
        await AppendBulkAuditAsync(broker);
    }

    /// <summary>A CI platform's report that a run finished, as the webhook endpoints record one.</summary>
    private static Task<CompletionOutcome> RecordRunCompletionAsync(TestBroker broker) =>
        broker.Services.GetRequiredService<WebhookCompletions>().CompleteAsync(
            new RunCompletion("github", "acme/app", "4242", null, "workflow_run", Guid.NewGuid().ToString(), new string('a', 64), broker.Clock.GetCurrentInstant()),
            AuditContext.System,
            CancellationToken.None);

    /// <summary>A long trail, appended through the broker's own audit store (the chain's MACs are the broker's).</summary>
    private static async Task AppendBulkAuditAsync(TestBroker broker)
    {
        var audit = broker.Services.GetRequiredService<IAuditStore>();
        for (var batch = 0; batch < BulkAuditEvents / 100; batch++)
        {
            broker.Clock.Advance(Duration.FromSeconds(1));
            var at = broker.Clock.GetCurrentInstant();
            await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
                audit.AppendAsync(new AuditRecord(at, new AuditContext("operator:bulk", $"req-{batch}-{i}", "127.0.0.1", "bulk/1.0"), "secret.read", "app-db-password", "allow", i % 7 == 0 ? null : "by policy"), CancellationToken.None)));
        }
    }

    private static async Task RevokeAsync(HttpClient security, RevokeIdentityRequest request)
    {
        using var response = await security.PostAsJsonAsync($"{Routes.Identities}/revoke", request);
        response.EnsureSuccessStatusCode();
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
