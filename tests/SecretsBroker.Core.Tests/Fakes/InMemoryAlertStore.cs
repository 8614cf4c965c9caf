using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// The alert outbox in memory: alerts and the webhooks that have them, under one lock. The request an
/// alert names is read as it is now from the break-glass fake that raised it, or, for tests that drive
/// the delivery alone, from the requests given to <see cref="Add"/>.
/// </summary>
internal sealed class InMemoryAlertStore : IAlertOutbox
{
    private readonly object gate = new();
    private readonly Func<string, BreakGlassRequest?> requestOf;
    private readonly Dictionary<string, BreakGlassRequest> added = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BreakGlassAlert> alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Instant> delivered = new(StringComparer.Ordinal);
    private readonly HashSet<(string Alert, string Webhook)> deliveries = [];

    /// <summary>An outbox whose requests come with the alerts, through <see cref="Add"/>.</summary>
    public InMemoryAlertStore()
    {
        requestOf = id =>
        {
            lock (gate)
            {
                return added.GetValueOrDefault(id);
            }
        };
    }

    /// <summary>An outbox whose requests are kept beside it (by the break-glass fake) and read through <paramref name="requestOf"/>.</summary>
    public InMemoryAlertStore(Func<string, BreakGlassRequest?> requestOf) => this.requestOf = requestOf;

    public BreakGlassAlert Alert(string id)
    {
        lock (gate)
        {
            return alerts[id];
        }
    }

    public bool IsDelivered(string id)
    {
        lock (gate)
        {
            return delivered.ContainsKey(id);
        }
    }

    public BreakGlassAlert Add(BreakGlassRequest request, BreakGlassAlert alert)
    {
        lock (gate)
        {
            added[request.Id] = request;
        }

        Store(alert);
        return alert;
    }

    /// <summary>Stores a new alert, as the break-glass store does in the transaction of the change it reports.</summary>
    public void Store(BreakGlassAlert alert)
    {
        lock (gate)
        {
            alerts.Add(alert.Id, alert with { RaisedAt = alert.RaisedAt.AtStoredPrecision(), NextAttemptAt = alert.NextAttemptAt.AtStoredPrecision() });
        }
    }

    public Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct)
    {
        BreakGlassAlert? alert;
        HashSet<string> deliveredTo;
        lock (gate)
        {
            if (!alerts.TryGetValue(alertId, out alert) || delivered.ContainsKey(alertId))
            {
                return Task.FromResult<AlertToDeliver?>(null);
            }

            deliveredTo = deliveries.Where(d => d.Alert == alertId).Select(d => d.Webhook).ToHashSet(StringComparer.Ordinal);
        }

        // Read outside this lock: the break-glass fake takes its own lock first and then this one.
        var request = requestOf(alert.RequestId) ?? throw new InvalidOperationException($"Alert {alertId} names no stored request.");
        return Task.FromResult<AlertToDeliver?>(new AlertToDeliver(alert, request, deliveredTo));
    }

    public Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct)
    {
        lock (gate)
        {
            if (!alerts.ContainsKey(alertId))
            {
                throw new InvalidOperationException($"No alert {alertId}.");
            }

            deliveries.Add((alertId, webhook));
        }

        return Task.CompletedTask;
    }

    public Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct)
    {
        lock (gate)
        {
            if (alerts.ContainsKey(alertId))
            {
                delivered.TryAdd(alertId, now);
            }
        }

        return Task.CompletedTask;
    }

    public Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct)
    {
        lock (gate)
        {
            if (alerts.TryGetValue(alertId, out var alert) && !delivered.ContainsKey(alertId))
            {
                alerts[alertId] = alert with { Failures = failures, NextAttemptAt = nextAttemptAt.AtStoredPrecision() };
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct)
    {
        lock (gate)
        {
            var due = alerts.Values.Where(a => !delivered.ContainsKey(a.Id) && a.NextAttemptAt <= now.AtStoredPrecision()).OrderBy(a => a.NextAttemptAt).Take(batch).ToList();
            foreach (var alert in due)
            {
                alerts[alert.Id] = alert with { NextAttemptAt = claimUntil.AtStoredPrecision() };
            }

            return Task.FromResult<IReadOnlyList<string>>(due.Select(a => a.Id).ToList());
        }
    }

    public Task<AlertBacklog> CountBacklogAsync(CancellationToken ct)
    {
        lock (gate)
        {
            var undelivered = alerts.Values.Where(a => !delivered.ContainsKey(a.Id)).ToList();
            return Task.FromResult(new AlertBacklog(undelivered.Count, undelivered.LongCount(a => a.Failures > 0)));
        }
    }
}
