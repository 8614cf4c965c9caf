using Microsoft.Extensions.Options;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Alerts;

/// <summary>
/// Every <see cref="AlertOptions.PollIntervalMilliseconds"/>, starts a delivery for each stored alert
/// due again: one that failed, or one whose delivery was lost with a stopped process or a lost job
/// file (the alert rows keep every alert; the job queue need not).
/// </summary>
internal sealed class AlertRetryTicker(BreakGlassAlertDelivery delivery, BrokerSeal seal, IOptions<AlertOptions> options, ILogger<AlertRetryTicker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (seal.IsSealed)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds));
        do
        {
            try
            {
                await delivery.RetryDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed poll is logged and the next one tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                AlertLog.PollFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
