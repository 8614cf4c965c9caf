using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.IntegrationTests.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Jobs;

/// <summary>
/// The job file: its own file in the data folder, readable by the broker's user alone, kept across
/// restarts, and never the only record of any work (the database is). File modes are POSIX ones.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobFileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task The_job_file_and_its_write_ahead_log_and_shared_memory_files_have_mode_0600()
    {
        await using var broker = await TestBroker.StartAsync();

        var files = await SideFilesAsync(broker.JobStoragePath);

        Assert.All(files, file => Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} has mode {File.GetUnixFileMode(file)}"));
    }

    [Fact]
    public async Task The_job_files_have_mode_0600_even_when_the_broker_process_runs_under_umask_000()
    {
        using var folder = new ProcessFolder();
        await using var broker = await BrokerProcess.StartAsync(folder.DataDirectory, folder.Settings(), umask: "000");

        var files = await SideFilesAsync(folder.JobStoragePath);
        var umask = File.ReadLines($"/proc/{broker.Id}/status").Single(l => l.StartsWith("Umask:", StringComparison.Ordinal));

        Assert.Equal("Umask:\t0000", umask);
        Assert.All(files, file => Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} has mode {File.GetUnixFileMode(file)}"));
    }

    [Fact]
    public async Task Finished_jobs_are_still_in_the_job_storage_after_a_restart()
    {
        await using var world = await LeasingBroker.StartAsync(new Dictionary<string, string?> { ["Leases:SweepIntervalMilliseconds"] = "100" });
        var before = await SucceededAtLeastAsync(world.Broker, 3);

        await world.RestartAsync();
        var after = Succeeded(world.Broker);

        Assert.Subset(after, before);
    }

    [Fact]
    public async Task Every_pending_clean_up_and_alert_still_happens_when_the_job_file_was_deleted_while_the_broker_was_stopped()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var unreachable = receiver.Settings();
        unreachable["Alerts:Webhooks:0:Url"] = "http://127.0.0.1:1/hook";
        unreachable["Alerts:RetryAfterSeconds"] = "1";
        unreachable["Alerts:PollIntervalMilliseconds"] = "100";

        // No sweep runs before the stop: the revocation stays pending in the database.
        unreachable["Leases:SweepIntervalMilliseconds"] = "60000";
        await using var world = await BreakGlassWorld.StartAsync(unreachable);
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");
        using (var revoke = await runner.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}"))
        {
            revoke.EnsureSuccessStatusCode();
        }

        using var oncall = await world.OperatorAsync("oncall");
        using (var breakGlass = await oncall.BreakGlassAsync(BreakGlassWorld.Solo))
        {
            breakGlass.EnsureSuccessStatusCode();
        }

        var operatorToken = await world.Broker.CreateTokenAsync("security", "operator");
        string alertId;
        using (var db = world.Broker.OpenRawDatabase())
        {
            alertId = await db.QuerySingleAsync<string>("SELECT id FROM alert WHERE delivered_at IS NULL");
        }

        var stateBefore = await StateAsync(world.Broker.Client(operatorToken), lease.Lease.Id);
        await world.Broker.StopAsync();
        var deleted = new[] { world.Broker.JobStoragePath, world.Broker.JobStoragePath + "-wal", world.Broker.JobStoragePath + "-shm" }.Where(File.Exists).ToList();
        deleted.ForEach(File.Delete);

        await world.RestartAsync(new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Url"] = receiver.Url.ToString(),
            ["Leases:SweepIntervalMilliseconds"] = "1000",
        });
        using var operatorClient = world.Broker.Client(operatorToken);
        var revoked = await CiJobLifeTests.WaitForStateAsync(operatorClient, lease.Lease.Id, "revoked", TimeSpan.FromSeconds(20));
        var (_, body) = await WhileTimePassesAsync(world.Broker.Clock, receiver.NextAsync());

        Assert.Equal("revoking", stateBefore);
        Assert.Contains(Path.GetFileName(world.Broker.JobStoragePath), deleted.Select(Path.GetFileName));
        Assert.Equal("revoked", revoked.State);
        Assert.Equal(alertId, Field(body, "id"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(world.Broker.JobStoragePath));
    }

    /// <summary>The job file and its -wal and -shm, once the job server has written to it.</summary>
    private static async Task<string[]> SideFilesAsync(string jobFile)
    {
        var files = new[] { jobFile, jobFile + "-wal", jobFile + "-shm" };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!files.All(File.Exists) && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        return files;
    }

    private static HashSet<string> Succeeded(TestBroker broker) =>
        broker.Services.GetRequiredService<JobStorage>().GetMonitoringApi().SucceededJobs(0, 100_000).Select(j => j.Key).ToHashSet();

    private static async Task<HashSet<string>> SucceededAtLeastAsync(TestBroker broker, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var succeeded = Succeeded(broker);
            if (succeeded.Count >= count || timeout.IsCancellationRequested)
            {
                return succeeded;
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task<string> StateAsync(HttpClient client, string id)
    {
        using (client)
        {
            return (await client.GetFromJsonAsync<Contracts.Leases.LeaseInfo>($"{Routes.Leases}/{id}"))!.State;
        }
    }

    /// <summary>
    /// Moves the broker's clock on, 30 s every 100 ms, until <paramref name="task"/> is done: alert retries
    /// wait on the broker's clock, and a new alert is first held by its inline delivery for five minutes
    /// (<c>AlertRetry.ClaimFor</c>), which at a slower pace would take longer than the receiver waits
    /// on a loaded machine.
    /// </summary>
    private static async Task<T> WhileTimePassesAsync<T>(NodaTime.Testing.FakeClock clock, Task<T> task)
    {
        while (!task.IsCompleted)
        {
            clock.Advance(Duration.FromSeconds(30));
            await Task.WhenAny(task, Task.Delay(100));
        }

        return await task;
    }

    private static string? Field(string body, string name)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty(name).GetString();
    }
}
