using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Jobs;

/// <summary>
/// The ticker queues a sweep only while none is pending (LeaseJobs' flag), so a job file whose
/// workers pick up a queued job only every half second still holds at most one waiting sweep.
/// </summary>
public sealed class SweepTickerTests
{
    private const int TickMilliseconds = 100;

    [Fact]
    public async Task However_often_the_ticker_ticks_at_most_one_sweep_is_queued_and_at_most_one_runs()
    {
        await using var world = await LeasingBroker.StartAsync(new Dictionary<string, string?> { ["Leases:SweepIntervalMilliseconds"] = TickMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var monitoring = world.Broker.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var (mostQueued, mostRunning) = (0, 0);
        var watched = System.Diagnostics.Stopwatch.StartNew();
        while (watched.Elapsed < TimeSpan.FromSeconds(5))
        {
            mostQueued = Math.Max(mostQueued, monitoring.EnqueuedJobs("default", 0, 1000).Count(j => IsSweep(j.Value.Job)));
            mostRunning = Math.Max(mostRunning, monitoring.ProcessingJobs(0, 1000).Count(j => IsSweep(j.Value.Job)));
            await Task.Delay(20);
        }

        var ticks = (int)(watched.ElapsedMilliseconds / TickMilliseconds);
        var swept = monitoring.SucceededJobs(0, 100_000).Count(j => IsSweep(j.Value.Job));

        Assert.InRange(mostQueued, 1, 1);
        Assert.InRange(mostRunning, 0, 1);
        Assert.InRange(swept, 2, ticks / 2);
    }

    private static bool IsSweep(Job? job) => job is { Type.Name: nameof(LeaseJobs), Method.Name: nameof(LeaseJobs.SweepAsync) };
}
