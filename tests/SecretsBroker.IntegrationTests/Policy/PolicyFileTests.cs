using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Policy;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Hosting;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Policy;

public sealed class PolicyFileTests
{
    private static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(10);

    private static readonly string ChangedPolicy = PolicyFolder.ValidPolicy.Replace("max_ttl: 1h", "max_ttl: 2h", StringComparison.Ordinal);

    private static readonly string BrokenPolicy = PolicyFolder.ValidPolicy.Replace("roles: [deploy-api]", "roles: [deploy-web]", StringComparison.Ordinal);

    [Fact]
    public async Task The_policy_file_is_in_force_from_the_start_and_its_load_is_audited_with_its_hash()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        await using var broker = await StartAsync(policy);

        var current = Source(broker).Current;
        var load = Assert.Single(await PolicyLoadsAsync(broker));

        Assert.Equal(PolicyFolder.HashOf(PolicyFolder.ValidPolicy), current.Hash);
        Assert.Equal(["app-main-deploy"], current.Rules.Select(r => r.Name));
        Assert.Equal(("system", "policy:policy.yaml", "allowed", $"node {NodeOf(broker)}: sha256 {current.Hash}"), (load.Actor, load.Target, load.Decision, load.Reason));
    }

    [Fact]
    public async Task A_changed_file_is_reloaded_at_once_when_the_file_system_reports_it()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        // Polling hourly: only the file-system event can bring the change in time.
        await using var broker = await StartAsync(policy, ("Policy:PollSeconds", "3600"));

        policy.Replace(ChangedPolicy);

        var reloaded = await EventuallyAsync(() => Source(broker).Current.Hash == PolicyFolder.HashOf(ChangedPolicy));
        Assert.True(reloaded, "the changed policy was not loaded within 10 s");
        Assert.Equal(2, Source(broker).Current.Roles["deploy-api"].MaxTtl.TotalHours);
        Assert.Equal(
            [$"allowed node {NodeOf(broker)}: sha256 {PolicyFolder.HashOf(PolicyFolder.ValidPolicy)}", $"allowed node {NodeOf(broker)}: sha256 {PolicyFolder.HashOf(ChangedPolicy)}"],
            (await PolicyLoadsAsync(broker)).Select(e => $"{e.Decision} {e.Reason}"));
    }

    [Fact]
    public async Task A_changed_file_is_reloaded_by_polling_when_file_system_events_are_off()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        await using var broker = await StartAsync(policy, ("Policy:WatchEvents", "false"), ("Policy:PollSeconds", "1"));

        policy.Replace(ChangedPolicy);

        Assert.True(
            await EventuallyAsync(() => Source(broker).Current.Hash == PolicyFolder.HashOf(ChangedPolicy)),
            "the changed policy was not loaded within 10 s");
    }

    [Fact]
    public async Task A_broken_change_is_refused_and_audited_the_last_good_policy_stays_and_a_fix_loads()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        await using var broker = await StartAsync(policy);
        var good = Source(broker).Current;

        policy.Replace(BrokenPolicy);
        var refused = await EventuallyAsync(async () => (await PolicyLoadsAsync(broker)).Any(e => e.Decision == AuditDecision.Rejected));

        Assert.True(refused, "the broken policy was not refused within 10 s");
        Assert.Same(good, Source(broker).Current);
        var rejection = (await PolicyLoadsAsync(broker)).Single(e => e.Decision == AuditDecision.Rejected);
        Assert.Equal("policy:policy.yaml", rejection.Target);
        Assert.Equal(
            $"node {NodeOf(broker)}: sha256 {PolicyFolder.HashOf(BrokenPolicy)}: policy.yaml:11:13: unknown role 'deploy-web': it is not defined under roles",
            rejection.Reason);
        Assert.Contains($"{policy.Path}:11:13: unknown role 'deploy-web'", broker.Logs.All, StringComparison.Ordinal);

        policy.Replace(ChangedPolicy);
        Assert.True(
            await EventuallyAsync(() => Source(broker).Current.Hash == PolicyFolder.HashOf(ChangedPolicy)),
            "the fixed policy was not loaded within 10 s");
    }

    [Fact]
    public async Task A_broken_file_at_start_stops_the_broker_with_a_message_naming_file_and_line()
    {
        using var policy = new PolicyFolder(BrokenPolicy);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy));

        Assert.Contains($"Policy:File {policy.Path} is not a valid policy", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"{policy.Path}:11:13: unknown role 'deploy-web'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_at_start_stops_the_broker()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sb-no-policy-" + Guid.NewGuid().ToString("N"), "policy.yaml");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => TestBroker.StartAsync(new TestBrokerOptions { Settings = new Dictionary<string, string?> { ["Policy:File"] = missing } }));

        Assert.Contains($"{missing}:1:1: cannot read the policy file: there is no such file", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sealed_broker_still_loads_the_policy_but_cannot_audit_it_and_says_so()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        await using var first = await StartAsync(policy);
        var settings = new Dictionary<string, string?> { ["Policy:File"] = policy.Path };

        await using var sealedBroker = await first.RestartAsync(
            new TestBrokerOptions { MasterKeyBase64 = MasterKey.Generate().ToBase64(), Settings = settings });

        Assert.True(sealedBroker.IsSealed);
        Assert.Equal(PolicyFolder.HashOf(PolicyFolder.ValidPolicy), Source(sealedBroker).Current.Hash);
        Assert.Single(await PolicyLoadsAsync(sealedBroker));
        Assert.Contains($"Policy load of {policy.Path} (allowed) not audited: the broker is sealed", sealedBroker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_policy_file_the_broker_runs_with_the_empty_policy_and_says_so()
    {
        await using var broker = await TestBroker.StartAsync();

        Assert.Same(PolicyDocument.Empty, Source(broker).Current);
        Assert.Empty(await PolicyLoadsAsync(broker));
        Assert.Contains("No policy file is configured (Policy:File): every lease is denied", broker.Logs.All, StringComparison.Ordinal);
    }

    private static Task<TestBroker> StartAsync(PolicyFolder policy, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Policy:File"] = policy.Path };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return TestBroker.StartAsync(new TestBrokerOptions { Settings = all });
    }

    private static IPolicySource Source(TestBroker broker) => broker.Services.GetRequiredService<IPolicySource>();

    private static string NodeOf(TestBroker broker) => broker.Services.GetRequiredService<BrokerNode>().Writer.Node;

    private static async Task<List<AuditEvent>> PolicyLoadsAsync(TestBroker broker)
    {
        var events = await broker.Services.GetRequiredService<IAuditStore>().PageAsync(0, 1000, CancellationToken.None);
        return events.Where(e => e.Action == AuditActions.PolicyLoad).ToList();
    }

    private static Task<bool> EventuallyAsync(Func<bool> condition) => EventuallyAsync(() => Task.FromResult(condition()));

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="ReloadWait"/> has passed.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > ReloadWait)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }
}
