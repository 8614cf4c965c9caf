using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Jobs;

/// <summary>
/// The job file under load beside the broker's database: lease requests from many clients at once
/// while sweeps run every 100 ms, leases expire under them and the dashboard's queries read the
/// job file. Neither file reports a locked database, and Hangfire's storage logs no error.
/// </summary>
public sealed partial class JobStorageLoadTests
{
    private const int Clients = 16;
    private const int LeasesEach = 25;

    [Fact]
    public async Task A_burst_of_concurrent_lease_issuance_with_jobs_running_logs_no_locked_database_and_no_job_storage_error()
    {
        await using var world = await LeasingBroker.StartAsync(new Dictionary<string, string?> { ["Leases:SweepIntervalMilliseconds"] = "100" });
        var monitoring = world.Broker.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        using var done = new CancellationTokenSource();

        // Leases of 5 min expire as the clock moves a minute every 50 ms: the sweep has work throughout.
        var clock = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                world.Broker.Clock.Advance(Duration.FromMinutes(1));
                await Task.Delay(50, CancellationToken.None);
            }
        });
        var dashboard = Task.Run(async () =>
        {
            var reads = 0;
            while (!done.IsCancellationRequested)
            {
                monitoring.GetStatistics();
                monitoring.SucceededJobs(0, 20);
                reads++;
                await Task.Delay(10, CancellationToken.None);
            }

            return reads;
        });
        var answers = await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < LeasesEach; i++)
            {
                using var runner = world.Runner(run: $"burst-{client}");
                using var response = await LeasingBroker.LeaseAsync(runner, $"burst-{client}", $"step-{i}", role: LeasingBroker.OneShotRole);
                statuses.Add(response.StatusCode);
            }

            return statuses;
        })));
        var sweepsDuringBurst = monitoring.SucceededListCount();
        await done.CancelAsync();
        await clock;
        var dashboardReads = await dashboard;

        Assert.All(answers.SelectMany(a => a), status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.True(sweepsDuringBurst > 0 && dashboardReads > 0, $"{sweepsDuringBurst} jobs finished and {dashboardReads} dashboard reads during the burst");
        Assert.DoesNotContain("database is locked", world.Broker.Logs.All, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(world.Broker.Logs.Lines, line => HangfireProblem().IsMatch(line) || line.Contains("SQLiteException", StringComparison.Ordinal));
    }

    /// <summary>A warning or worse from Hangfire or its storage.</summary>
    [GeneratedRegex(@"^(Warning|Error|Critical) Hangfire\.")]
    private static partial Regex HangfireProblem();
}
