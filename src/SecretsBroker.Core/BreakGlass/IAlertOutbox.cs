using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// The break-glass alerts waiting to be delivered: each is sent to every webhook that does not have it
/// yet, retried until all do, and claimed for a while by the process delivering it.
/// </summary>
public interface IAlertOutbox
{
    /// <summary>An undelivered alert with its request and the webhooks that have it; null when unknown or delivered.</summary>
    Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct);

    Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct);

    Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct);

    Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct);

    /// <summary>Undelivered alerts whose next attempt is due at <paramref name="now"/>, each taken until <paramref name="claimUntil"/>; their ids.</summary>
    Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct);

    /// <summary>How many alerts are undelivered, and how many of them have failed a delivery at least once.</summary>
    Task<AlertBacklog> CountBacklogAsync(CancellationToken ct);
}
