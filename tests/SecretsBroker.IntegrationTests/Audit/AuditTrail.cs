using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Health;
using SecretsBroker.Core.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Audit;

/// <summary>Reading the trail in tests: through the API as an operator would, or straight from the store.</summary>
internal static class AuditTrail
{
    /// <summary>Runs <paramref name="action"/> and returns the one event it wrote, failing when it wrote none or several.</summary>
    public static async Task<AuditEvent> OnlyEventOfAsync(TestBroker broker, Func<Task> action)
    {
        var store = broker.Services.GetRequiredService<IAuditStore>();
        var before = (await store.ReadHeadAsync(CancellationToken.None))?.Seq ?? 0;
        await action();
        return Assert.Single(await store.PageAsync(before, 100, CancellationToken.None));
    }

    /// <summary>The whole trail through <c>GET /v1/audit</c>, following <c>next</c>.</summary>
    public static async Task<List<AuditEventInfo>> ReadAllAsync(HttpClient client)
    {
        var events = new List<AuditEventInfo>();
        long? after = 0;
        while (after is { } from)
        {
            var page = (await client.GetFromJsonAsync<AuditPage>($"/v1/audit?after={from}&limit=1000"))!;
            events.AddRange(page.Events);
            after = page.Next;
        }

        return events;
    }

    public static async Task<Contracts.Audit.AuditVerification> VerifyAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<Contracts.Audit.AuditVerification>("/v1/audit/verify"))!;

    /// <summary>How the caller behind <paramref name="client"/> appears as an actor in the trail.</summary>
    public static async Task<string> ActorOfAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<BrokerStatus>("/v1/status"))!.Caller;
}
