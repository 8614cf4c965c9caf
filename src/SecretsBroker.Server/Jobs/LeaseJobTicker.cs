using Hangfire;
using Microsoft.Extensions.Options;
using SecretsBroker.Server.Hosting;
using SecretsBroker.Server.Leases;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// Queues a sweep every <see cref="LeaseOptions.SweepIntervalMilliseconds"/> (Hangfire's own
/// scheduler works in minutes; leases must be cleaned up within seconds of expiry), at most one at
/// a time from this node (<see cref="QueuedSweep"/>), and a reconciliation at start and every
/// minute: the database, not the job queue, holds all work.
/// </summary>
internal sealed class LeaseJobTicker(
    IBackgroundJobClient jobs,
    IRecurringJobManager recurring,
    JobStorage storage,
    BrokerSeal seal,
    IOptions<LeaseOptions> options,
    ILogger<LeaseJobTicker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (seal.IsSealed)
        {
            return;
        }

        jobs.Enqueue<LeaseJobs>(j => j.ReconcileAsync());
        recurring.AddOrUpdate<LeaseJobs>("lease-reconcile", j => j.ReconcileAsync(), Cron.Minutely());
        recurring.AddOrUpdate<SecretJobs>("secret-rotation", j => j.RotateDueAsync(), Cron.Minutely());
        recurring.AddOrUpdate<LeaseJobs>("orphan-sweep", j => j.SweepOrphansAsync(), "*/5 * * * *");
        recurring.AddOrUpdate<Alerts.AlertJobs>("break-glass-sweep", j => j.SweepBreakGlassAsync(), Cron.Minutely());
        var queued = new QueuedSweep(storage);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (queued.IsDue())
                {
                    queued.Queued(jobs.Enqueue<LeaseJobs>(j => j.SweepAsync()));
                }
            }
#pragma warning disable CA1031 // A failed tick is logged and the next tick tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                JobLog.TickFailed(logger, e);
            }
        }
    }
}
