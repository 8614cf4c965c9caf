using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>Labels are bounded: leasing for many identities adds no series and no identity ever shows up in a label.</summary>
public sealed class MetricsCardinalityTests
{
    [Fact]
    public async Task Many_identities_add_no_series_and_no_label_carries_a_subject_run_or_lease_id()
    {
        await using var world = await LeasingBroker.StartAsync(MetricsFigureTests.QuietSweep);
        var seen = new List<string> { world.Ci.RunId, world.Ci.JobId };
        async Task LeaseForAsync(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                var subject = $"repo:acme/app-{i}:ref:refs/heads/feature-{i}";
                using var runner = world.RunnerWithSubject(subject);
                var lease = await world.IssueAsync(runner, "deploy");
                using var refused = await LeasingBroker.LeaseAsync(runner, world.Ci.RunId, $"step-not-allowed-{i}", role: $"role-{i}");
                Assert.False(refused.IsSuccessStatusCode);
                seen.Add(subject);
                seen.Add(lease.Lease.Id);
            }
        }

        await LeaseForAsync(0, 3);
        var few = await Scrape.OfAsync(world.Broker.Address);
        await LeaseForAsync(3, 15);
        var many = await Scrape.OfAsync(world.Broker.Address);

        Assert.Equal(15, many.Value("secretsbroker_leases_issued_total", ("role", LeasingBroker.Role)));
        Assert.Equal(few.All.Count, many.All.Count);
        Assert.Equal(few.All.Select(s => s.Name + Labels(s)).Order(), many.All.Select(s => s.Name + Labels(s)).Order());
        var labelValues = many.All.SelectMany(s => s.Labels.Values).Distinct().ToList();
        foreach (var value in labelValues)
        {
            Assert.DoesNotContain(seen, id => value.Contains(id, StringComparison.Ordinal));
            Assert.DoesNotContain("role-", value, StringComparison.Ordinal);
            Assert.DoesNotContain("acme/app", value, StringComparison.Ordinal);
        }
    }

    private static string Labels(Series s) => string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
