using Hangfire;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Server.Alerts;

/// <summary>Starts an alert's delivery as a Hangfire job that carries the alert's id only.</summary>
internal sealed class WebhookAlerts(IBackgroundJobClient jobs) : IBreakGlassAlerts
{
    public Task DeliverSoonAsync(string alertId, CancellationToken ct)
    {
        jobs.Enqueue<AlertJobs>(j => j.DeliverAsync(alertId));
        return Task.CompletedTask;
    }
}
