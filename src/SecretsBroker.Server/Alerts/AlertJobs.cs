using Hangfire;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Alerts;

/// <summary>
/// Hangfire's entry points for alerts: one delivery attempt of one stored alert (its retries are
/// scheduled in the database, not in the queue, so a restart loses none), and the break-glass sweep
/// (expiring pending requests, settling interrupted issuances, review reminders).
/// </summary>
public sealed class AlertJobs(BreakGlassAlertDelivery delivery, BreakGlassService breakGlass, BrokerSeal seal, ILogger<AlertJobs> logger)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task DeliverAsync(string alertId)
    {
        if (seal.IsSealed)
        {
            return;
        }

        switch (await delivery.DeliverAsync(alertId, CancellationToken.None))
        {
            case BreakGlassAlertDelivery.Outcome.RetryLater:
                AlertLog.RetryLater(logger, alertId);
                break;
            case BreakGlassAlertDelivery.Outcome.NoWebhook:
                AlertLog.NoWebhook(logger, alertId);
                break;
        }
    }

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task SweepBreakGlassAsync()
    {
        if (seal.IsSealed)
        {
            return;
        }

        var swept = await breakGlass.SweepAsync(CancellationToken.None);
        if (swept.DidAnything)
        {
            AlertLog.Swept(logger, swept.Expired, swept.Settled, swept.Reminded);
        }
    }
}
