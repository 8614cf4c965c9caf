using Hangfire;
using Microsoft.Extensions.Options;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Server.Alerts;

/// <summary>Raises an alert by queueing one delivery job per configured webhook; the jobs carry ids only.</summary>
internal sealed class WebhookAlerts(IBackgroundJobClient jobs, IOptions<AlertOptions> options) : IBreakGlassAlerts
{
    public Task RaiseAsync(string kind, string requestId, CancellationToken ct)
    {
        foreach (var hook in options.Value.Webhooks)
        {
            jobs.Enqueue<AlertJobs>(j => j.DeliverAsync(kind, requestId, hook.Name));
        }

        return Task.CompletedTask;
    }
}
