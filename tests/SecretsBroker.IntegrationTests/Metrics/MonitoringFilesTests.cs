using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.Runners;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>deploy/monitoring: the alert rules are valid for Prometheus, and every metric the rules and the dashboard name is one the broker serves.</summary>
public sealed partial class MonitoringFilesTests
{
    private static string Rules => Path.Combine(RepositoryFiles.Root, "deploy", "monitoring", "secretsbroker.rules.yml");

    private static string Dashboard => Path.Combine(RepositoryFiles.Root, "deploy", "monitoring", "grafana-dashboard.json");

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var (exit, output) = await PromtoolAsync(null, "check", "rules", Rules);
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_accepts_a_real_scrape_and_every_metric_in_the_rules_and_the_dashboard_is_served()
    {
        await using var world = await LeasingBroker.StartAsync(MetricsFigureTests.QuietSweep);
        using var runner = world.Runner();
        // Every labelled figure gets a series: issued, replayed, denied, renewed, a renewal refused, revoked.
        var lease = await world.IssueAsync(runner, "deploy");
        await world.IssueAsync(runner, "deploy");
        (await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, "not-allowed")).Dispose();
        (await runner.PostAsJsonAsync($"{Routes.Leases}/{lease.Lease.Id}/renew", new RenewLeaseRequest(600))).EnsureSuccessStatusCode();
        (await runner.PostAsJsonAsync($"{Routes.Leases}/no-such-lease/renew", new RenewLeaseRequest(600))).Dispose();
        (await runner.DeleteAsync($"{Routes.Leases}/{lease.Lease.Id}")).EnsureSuccessStatusCode();
        var scrape = await Scrape.OfAsync(world.Broker.Address);

        var (exit, output) = await PromtoolAsync(scrape.Text, "check", "metrics");
        Assert.True(exit == 0, output);

        var served = scrape.All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var dashboard = string.Join("\n", JsonDocument.Parse(await File.ReadAllTextAsync(Dashboard)).RootElement
            .GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()));
        var named = MetricName().Matches(await File.ReadAllTextAsync(Rules) + "\n" + dashboard).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("secretsbroker_sweep_lag_seconds", named);
        Assert.Contains("secretsbroker_lease_issue_duration_seconds_bucket", named);
        Assert.All(named, name => Assert.True(served.Contains(name), $"{name} is named in deploy/monitoring but not served"));

        // The README's metrics table and the served families cannot drift apart, in either direction.
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "README.md"));
        var section = readme[readme.IndexOf("\n## Metrics\n", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var documented = MetricName().Matches(section).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(scrape.Families().Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    /// <summary>promtool is required: the test fails, never skips, when it is missing (scripts/test.sh installs it).</summary>
    private static async Task<(int Exit, string Output)> PromtoolAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("promtool") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex("""secretsbroker_[a-z_]+""")]
    private static partial Regex MetricName();
}
