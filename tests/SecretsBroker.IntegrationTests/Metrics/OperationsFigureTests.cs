using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Policy;
using SecretsBroker.IntegrationTests.BreakGlass;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>
/// The figures an on-call engineer's alerts read beside the lease counts: policy loads and refusals,
/// key set refreshes and failures per issuer, break-glass requests waiting on people, and alerts the
/// webhooks refuse.
/// </summary>
public sealed class OperationsFigureTests
{
    [Fact]
    public async Task A_refused_policy_file_and_a_later_good_one_are_counted_and_the_info_shows_the_policy_in_force()
    {
        await using var world = await LeasingBroker.StartAsync(MetricsFigureTests.QuietSweep);
        var started = await Scrape.OfAsync(world.Broker.Address);

        await ReplacePolicyAsync(world, "roles: [this is: not a policy\n");
        var refused = await ScrapeUntilAsync(world, s => s.Value("secretsbroker_policy_refusals_total") == 1);
        var stricter = LeasingBroker.PolicyFor("someone/else");
        await ReplacePolicyAsync(world, stricter);
        var reloaded = await ScrapeUntilAsync(world, s => s.Value("secretsbroker_policy_loads_total") == 2);

        Assert.Equal((1, 0), (started.Value("secretsbroker_policy_loads_total"), started.Value("secretsbroker_policy_refusals_total")));
        Assert.Equal(1, refused.Value("secretsbroker_policy_loads_total"));
        Assert.Equal(1, reloaded.Value("secretsbroker_policy_refusals_total"));
        var hash = PolicyParser.Hash(System.Text.Encoding.UTF8.GetBytes(stricter));
        Assert.Equal(1, reloaded.Value("secretsbroker_policy_info", ("sha", hash)));
        Assert.Single(reloaded.All, s => s.Name == "secretsbroker_policy_info");
    }

    [Fact]
    public async Task A_key_set_that_stops_parsing_is_counted_as_failing_for_its_issuer_until_a_good_one_is_read()
    {
        await using var world = await LeasingBroker.StartAsync(MetricsFigureTests.QuietSweep);
        var good = await File.ReadAllTextAsync(world.Ci.JwksPath);
        await LeaseWithFreshTokenAsync(world, "deploy");
        var healthy = await Scrape.OfAsync(world.Broker.Address);

        await File.WriteAllTextAsync(world.Ci.JwksPath, "{\"keys\": [");
        await LeaseWithFreshTokenAsync(world, "migrate-db");
        var broken = await Scrape.OfAsync(world.Broker.Address);
        await File.WriteAllTextAsync(world.Ci.JwksPath, good + "\n");
        await LeaseWithFreshTokenAsync(world, "smoke-test");
        var mended = await Scrape.OfAsync(world.Broker.Address);

        (string, string)[] issuer = [("issuer", world.Ci.Name), ("use", "workloads")];
        Assert.True(healthy.Value("secretsbroker_jwks_refreshes_total", issuer) >= 1);
        Assert.Equal((0, 0), (healthy.Value("secretsbroker_jwks_refresh_failures_total", issuer), healthy.Value("secretsbroker_jwks_refresh_failing", issuer)));
        Assert.Equal((1, 1), (broken.Value("secretsbroker_jwks_refresh_failures_total", issuer), broken.Value("secretsbroker_jwks_refresh_failing", issuer)));
        Assert.Equal(healthy.Value("secretsbroker_jwks_refreshes_total", issuer), broken.Value("secretsbroker_jwks_refreshes_total", issuer));
        Assert.Equal(healthy.Value("secretsbroker_jwks_refreshes_total", issuer) + 1, mended.Value("secretsbroker_jwks_refreshes_total", issuer));
        Assert.Equal((1, 0), (mended.Value("secretsbroker_jwks_refresh_failures_total", issuer), mended.Value("secretsbroker_jwks_refresh_failing", issuer)));
    }

    [Fact]
    public async Task Break_glass_requests_waiting_for_approval_or_review_and_alerts_the_webhook_refuses_are_shown()
    {
        await using var receiver = await WebhookReceiver.StartAsync(refuseFirst: 1000);
        var settings = new Dictionary<string, string?>(receiver.Settings()) { ["Alerts:PollIntervalMilliseconds"] = "100" };
        await using var world = await BreakGlassWorld.StartAsync(settings);
        var quiet = await Scrape.OfAsync(world.Broker.Address);
        using var oncall = await world.OperatorAsync("oncall");

        using (var pending = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson))
        {
            Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        }

        using (var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        }

        await receiver.NextRefusedAsync();
        var outbox = world.Broker.Services.GetRequiredService<IAlertOutbox>();
        for (var i = 0; i < 100 && (await outbox.CountBacklogAsync(default)).Failing == 0; i++)
        {
            await Task.Delay(100);
        }

        // Past the store-read cache of the first scrape, well inside the alert's retry delay.
        world.Broker.Clock.Advance(Duration.FromSeconds(6));
        var waiting = await Scrape.OfAsync(world.Broker.Address);

        Assert.Equal([0, 0, 0, 0], Backlog(quiet));
        Assert.Equal([1, 1, 1, 1], Backlog(waiting));
    }

    private static double[] Backlog(Scrape scrape) =>
    [
        scrape.Value("secretsbroker_break_glass_pending_approval"),
        scrape.Value("secretsbroker_break_glass_unreviewed"),
        scrape.Value("secretsbroker_alerts_undelivered"),
        scrape.Value("secretsbroker_alerts_failing"),
    ];

    private static async Task LeaseWithFreshTokenAsync(LeasingBroker world, string step)
    {
        using var runner = world.Runner();
        await world.IssueAsync(runner, step);
    }

    private static async Task ReplacePolicyAsync(LeasingBroker world, string policy)
    {
        await File.WriteAllTextAsync(world.PolicyPath + ".next", policy);
        File.Move(world.PolicyPath + ".next", world.PolicyPath, overwrite: true);
    }

    private static async Task<Scrape> ScrapeUntilAsync(LeasingBroker world, Func<Scrape, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            var scrape = await Scrape.OfAsync(world.Broker.Address);
            if (done(scrape))
            {
                return scrape;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The scrape never showed the expected figure.");
    }
}
