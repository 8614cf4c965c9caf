using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Hooks;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Hooks;

/// <summary>
/// A leasing broker whose CI issuer has a completion webhook, a sender holding that webhook's secret,
/// and the looks a test takes afterwards: a lease as an operator sees it, whether a downstream service
/// still takes its credential, and the audit trail.
/// </summary>
internal sealed class HookWorld : IAsyncDisposable
{
    private HookWorld(LeasingBroker leasing)
    {
        Leasing = leasing;
        Client = leasing.Broker.Client();
        Hooks = new HookSender(Client, leasing.Ci.WebhookSecret!);
    }

    public LeasingBroker Leasing { get; }

    public HookSender Hooks { get; }

    public HttpClient Client { get; }

    public CiTokenIssuer Ci => Leasing.Ci;

    public TestBroker Broker => Leasing.Broker;

    public string Secret => Ci.WebhookSecret!;

    /// <summary>The audit target a completion of <paramref name="run"/> (and <paramref name="job"/>) in <paramref name="project"/> is recorded under.</summary>
    public string TargetOf(string run, string? job = null, string? project = null) =>
        $"run:{Ci.Name}/{project ?? Ci.Repository}/{run}" + (job is null ? "" : $"/job:{job}");

    public static async Task<HookWorld> StartAsync(CiPlatform platform = CiPlatform.GitHubActions, Func<string, string>? policyFor = null, IReadOnlyDictionary<string, string?>? settings = null) =>
        new(await LeasingBroker.StartAsync(settings, policyFor, platform: platform, webhook: true));

    /// <summary>A lease as an operator reads it.</summary>
    public async Task<LeaseInfo> LeaseAsync(IssuedLeaseResponse issued)
    {
        using var admin = Broker.Admin();
        return (await admin.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}"))!;
    }

    /// <summary>Whether a downstream service introspecting the lease's credential would take it.</summary>
    public async Task<bool> IsActiveAsync(IssuedLeaseResponse issued) =>
        (await Leasing.IntrospectAsync(issued.Credential["token"])).Active;

    /// <summary>Asserts the lease was ended by a completion: dead to introspection, and revoked with reason run_completed.</summary>
    public async Task ShouldBeEndedByCompletionAsync(IssuedLeaseResponse issued)
    {
        var lease = await LeaseAsync(issued);
        Assert.False(await IsActiveAsync(issued), $"lease {issued.Lease.Id} is still active");
        Assert.Contains(lease.State, new[] { "revoking", "revoked" });
        Assert.Equal("run_completed", lease.RevokeReason);
    }

    /// <summary>Asserts the lease is untouched: active to introspection and to an operator, with no revoke reason.</summary>
    public async Task ShouldBeLiveAsync(IssuedLeaseResponse issued)
    {
        var lease = await LeaseAsync(issued);
        Assert.True(await IsActiveAsync(issued), $"lease {issued.Lease.Id} is no longer active ({lease.State}, {lease.RevokeReason})");
        Assert.Equal(("active", null), (lease.State, lease.RevokeReason));
    }

    /// <summary>The whole audit trail as an operator reads it.</summary>
    public async Task<List<AuditEventInfo>> TrailAsync()
    {
        using var admin = Broker.Admin();
        return await AuditTrail.ReadAllAsync(admin);
    }

    /// <summary>The trail's <c>run.complete</c> events.</summary>
    public async Task<List<AuditEventInfo>> CompletionsAsync() =>
        (await TrailAsync()).Where(e => e.Action == "run.complete").ToList();

    /// <summary>Checks the answer is a receipt with <paramref name="status"/> and <paramref name="outcome"/>, showing the body when not.</summary>
    public static async Task<HookReceipt> ReceiptAsync(HttpResponseMessage response, HttpStatusCode status, string outcome)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {outcome}, got {(int)response.StatusCode}: {body}");
        var receipt = System.Text.Json.JsonSerializer.Deserialize<HookReceipt>(body, System.Text.Json.JsonSerializerOptions.Web);
        Assert.NotNull(receipt);
        Assert.Equal(outcome, receipt.Outcome);
        return receipt;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Leasing.DisposeAsync();
    }
}
