using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>The alert outbox in memory: alerts, their deliveries, and the requests they name.</summary>
internal sealed class InMemoryAlertStore : IAlertOutbox
{
    private readonly Dictionary<string, BreakGlassRequest> requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BreakGlassAlert> alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Instant> delivered = new(StringComparer.Ordinal);
    private readonly HashSet<(string Alert, string Webhook)> deliveries = [];

    public BreakGlassAlert Alert(string id) => alerts[id];

    public bool IsDelivered(string id) => delivered.ContainsKey(id);

    public BreakGlassAlert Add(BreakGlassRequest request, BreakGlassAlert alert)
    {
        requests[request.Id] = request;
        alerts[alert.Id] = alert;
        return alert;
    }

    public Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct) =>
        Task.FromResult(alerts.TryGetValue(alertId, out var alert) && !delivered.ContainsKey(alertId)
            ? new AlertToDeliver(alert, requests[alert.RequestId], deliveries.Where(d => d.Alert == alertId).Select(d => d.Webhook).ToHashSet(StringComparer.Ordinal))
            : null);

    public Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct)
    {
        deliveries.Add((alertId, webhook));
        return Task.CompletedTask;
    }

    public Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct)
    {
        delivered.TryAdd(alertId, now);
        return Task.CompletedTask;
    }

    public Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct)
    {
        alerts[alertId] = alerts[alertId] with { Failures = failures, NextAttemptAt = nextAttemptAt };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct)
    {
        var due = alerts.Values.Where(a => !delivered.ContainsKey(a.Id) && a.NextAttemptAt <= now).OrderBy(a => a.NextAttemptAt).Take(batch).ToList();
        foreach (var alert in due)
        {
            alerts[alert.Id] = alert with { NextAttemptAt = claimUntil };
        }

        return Task.FromResult<IReadOnlyList<string>>(due.Select(a => a.Id).ToList());
    }
}
