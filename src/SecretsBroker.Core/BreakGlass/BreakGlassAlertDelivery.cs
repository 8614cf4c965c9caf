using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// Delivers stored break-glass alerts: each to every configured webhook that does not have it yet,
/// then marks it delivered, or schedules the next try with backoff. Alerts due again (a failure, or a
/// delivery lost with its process) are claimed by <see cref="RetryDueAsync"/>.
/// </summary>
public sealed class BreakGlassAlertDelivery(IAlertOutbox outbox, IAlertWebhooks webhooks, IBreakGlassAlerts alerts, AlertRetry retry, IClock clock)
{
    private const int ClaimBatch = 100;

    /// <summary>What one attempt did: delivered to every webhook, tried again later, nothing to do (unknown or already delivered), or recorded only (no webhook configured).</summary>
    public enum Outcome
    {
        Delivered,
        NoWebhook,
        RetryLater,
        NothingToDo,
    }

    public async Task<Outcome> DeliverAsync(string alertId, CancellationToken ct)
    {
        if (await outbox.FindAlertAsync(alertId, ct) is not { } pending)
        {
            return Outcome.NothingToDo;
        }

        if (webhooks.Names.Count == 0)
        {
            await outbox.CompleteAlertAsync(alertId, clock.GetCurrentInstant(), ct);
            return Outcome.NoWebhook;
        }

        var missed = 0;
        foreach (var webhook in webhooks.Names.Where(w => !pending.DeliveredTo.Contains(w)))
        {
            if (await webhooks.PostAsync(webhook, pending.Alert, pending.Request, ct))
            {
                await outbox.RecordAlertDeliveryAsync(alertId, webhook, clock.GetCurrentInstant(), ct);
            }
            else
            {
                missed++;
            }
        }

        var now = clock.GetCurrentInstant();
        if (missed == 0)
        {
            await outbox.CompleteAlertAsync(alertId, now, ct);
            return Outcome.Delivered;
        }

        var failures = pending.Alert.Failures + 1;
        await outbox.RetryAlertLaterAsync(alertId, failures, now + retry.After(failures), ct);
        return Outcome.RetryLater;
    }

    /// <summary>Claims the alerts due for another try and starts a delivery for each; returns how many.</summary>
    public async Task<int> RetryDueAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var due = await outbox.ClaimDueAlertsAsync(now, now + retry.ClaimFor, ClaimBatch, ct);
        foreach (var id in due)
        {
            await alerts.DeliverSoonAsync(id, ct);
        }

        return due.Count;
    }
}
