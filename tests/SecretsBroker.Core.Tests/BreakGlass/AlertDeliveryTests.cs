using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.BreakGlass;

public sealed class AlertDeliveryTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 23, 9, 0);
    private static readonly AlertRetry Retry = new(Duration.FromSeconds(10), Duration.FromSeconds(60), Duration.FromMinutes(5));
    private readonly FakeClock clock = new(Start);
    private readonly InMemoryAlertStore store = new();
    private readonly Webhooks webhooks = new();
    private readonly StartedDeliveries started = new();

    private BreakGlassAlertDelivery Delivery() => new(store, webhooks, started, Retry, clock);

    private BreakGlassAlert Raise()
    {
        var request = new BreakGlassRequest(
            "0123456789abcdef0123456789abcdef", "deploy-api", "tok", "token:oncall", "A justification long enough", "INC-1", 600, BreakGlassRequest.Issued,
            Start, Start, null, "0123456789abcdef0123456789abcdef", null, null, null, null);
        return store.Add(request, BreakGlassAlert.Raise(BreakGlassAlertKinds.Issued, request.Id, clock.GetCurrentInstant(), Retry));
    }

    [Fact]
    public async Task A_raised_alert_is_held_for_its_first_delivery_until_the_claim_ends()
    {
        var alert = Raise();

        var beforeClaimEnds = await Delivery().RetryDueAsync(default);
        clock.Advance(Retry.ClaimFor);
        var afterClaimEnds = await Delivery().RetryDueAsync(default);

        Assert.Equal(0, beforeClaimEnds);
        Assert.Equal(1, afterClaimEnds);
        Assert.Equal([alert.Id], started.Ids);
    }

    [Fact]
    public async Task Each_failure_waits_twice_as_long_as_the_last_up_to_the_cap()
    {
        var alert = Raise();
        webhooks.Refusing.Add("pager");
        var waits = new List<Duration>();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(BreakGlassAlertDelivery.Outcome.RetryLater, await Delivery().DeliverAsync(alert.Id, default));
            waits.Add(store.Alert(alert.Id).NextAttemptAt - clock.GetCurrentInstant());
        }

        Assert.Equal([10, 20, 40, 60, 60], waits.Select(w => (int)w.TotalSeconds));
        Assert.Equal(5, store.Alert(alert.Id).Failures);
        Assert.False(store.IsDelivered(alert.Id));
    }

    [Fact]
    public async Task An_alert_is_delivered_once_every_configured_webhook_has_it_and_each_gets_it_once()
    {
        var alert = Raise();
        webhooks.Refusing.Add("siem");

        var first = await Delivery().DeliverAsync(alert.Id, default);
        webhooks.Refusing.Clear();
        var second = await Delivery().DeliverAsync(alert.Id, default);
        var third = await Delivery().DeliverAsync(alert.Id, default);

        Assert.Equal(BreakGlassAlertDelivery.Outcome.RetryLater, first);
        Assert.Equal(BreakGlassAlertDelivery.Outcome.Delivered, second);
        Assert.Equal(BreakGlassAlertDelivery.Outcome.NothingToDo, third);
        Assert.Equal(["pager", "siem", "siem"], webhooks.Posted);
        Assert.True(store.IsDelivered(alert.Id));
    }

    [Fact]
    public async Task With_no_webhook_configured_an_alert_is_recorded_and_says_nobody_was_told()
    {
        var alert = Raise();
        webhooks.Configured.Clear();

        var outcome = await Delivery().DeliverAsync(alert.Id, default);

        Assert.Equal(BreakGlassAlertDelivery.Outcome.NoWebhook, outcome);
        Assert.Empty(webhooks.Posted);
        Assert.True(store.IsDelivered(alert.Id));
    }

    private sealed class Webhooks : IAlertWebhooks
    {
        public List<string> Configured { get; } = ["pager", "siem"];

        public HashSet<string> Refusing { get; } = [];

        public List<string> Posted { get; } = [];

        public IReadOnlyList<string> Names => Configured;

        public Task<bool> PostAsync(string webhook, BreakGlassAlert alert, BreakGlassRequest request, CancellationToken ct)
        {
            Posted.Add(webhook);
            return Task.FromResult(!Refusing.Contains(webhook));
        }
    }

    private sealed class StartedDeliveries : IBreakGlassAlerts
    {
        public List<string> Ids { get; } = [];

        public Task DeliverSoonAsync(string alertId, CancellationToken ct)
        {
            Ids.Add(alertId);
            return Task.CompletedTask;
        }
    }
}
