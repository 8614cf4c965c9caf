using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="IAlertOutbox"/> does with the alerts the break-glass store raises: found with
/// their request as it is now and the webhooks that have them, delivered once per webhook, hidden once
/// complete, retried later, and claimed by one delivery at a time from the exact instant they are due.
/// </summary>
public abstract class AlertOutboxContract : BreakGlassRequestContract
{
    [Fact]
    public async Task An_alert_stored_with_an_issuance_is_found_with_its_request_and_no_webhook_yet()
    {
        var (request, alert) = await IssuedAsync();

        var found = await Stores.Alerts.FindAlertAsync(alert.Id, default);

        Assert.Equal((alert, request), (found!.Alert, found.Request));
        Assert.Empty(found.DeliveredTo);
    }

    [Fact]
    public async Task An_alert_stored_with_a_reminder_is_found_with_its_request_as_it_is_now()
    {
        var (request, _) = await IssuedAsync();
        var reminder = NewAlert(request.Id, BreakGlassAlertKinds.ReviewReminder);
        Assert.True(await Stores.BreakGlass.MarkRemindedAsync(request.Id, Now, Now, reminder, default));
        Clock.Advance(Duration.FromMinutes(1));
        Assert.True(await Stores.BreakGlass.ReviewAsync(request.Id, Reviewer, "justified", null, Now, ReviewRecord(request.Id), default));

        var found = await Stores.Alerts.FindAlertAsync(reminder.Id, default);

        Assert.Equal((reminder, await FindAsync(request.Id)), (found!.Alert, found.Request));
        Assert.Equal(Reviewer, found.Request.Reviewer);
    }

    [Fact]
    public async Task An_alert_nobody_raised_is_not_found() =>
        Assert.Null(await Stores.Alerts.FindAlertAsync(LeaseId.New(Now), default));

    [Fact]
    public async Task A_delivery_is_recorded_once_per_webhook_however_often_it_is_recorded()
    {
        var (_, alert) = await IssuedAsync();

        await Stores.Alerts.RecordAlertDeliveryAsync(alert.Id, "pager", Now, default);
        await Stores.Alerts.RecordAlertDeliveryAsync(alert.Id, "pager", Now + Duration.FromSeconds(1), default);
        await Stores.Alerts.RecordAlertDeliveryAsync(alert.Id, "siem", Now, default);

        var found = await Stores.Alerts.FindAlertAsync(alert.Id, default);
        Assert.Equal(["pager", "siem"], found!.DeliveredTo.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_completed_alert_is_neither_found_nor_claimed_again()
    {
        var (_, alert) = await IssuedAsync();
        var (_, other) = await IssuedAsync();
        await Stores.Alerts.RecordAlertDeliveryAsync(alert.Id, "pager", Now, default);

        await Stores.Alerts.CompleteAlertAsync(alert.Id, Now, default);
        await Stores.Alerts.CompleteAlertAsync(alert.Id, Now + Duration.FromSeconds(1), default);

        Assert.Null(await Stores.Alerts.FindAlertAsync(alert.Id, default));
        Assert.Equal([other.Id], await Stores.Alerts.ClaimDueAlertsAsync(Now + Duration.FromDays(1), Now + Duration.FromDays(2), 100, default));
    }

    [Fact]
    public async Task Retrying_later_counts_the_failures_and_moves_the_next_attempt_to_that_exact_instant()
    {
        var (_, alert) = await IssuedAsync();
        var next = Now + Duration.FromMinutes(20);

        await Stores.Alerts.RetryAlertLaterAsync(alert.Id, 3, next, default);

        var found = await Stores.Alerts.FindAlertAsync(alert.Id, default);
        Assert.Equal(alert with { Failures = 3, NextAttemptAt = next }, found!.Alert);
        Assert.Empty(await Stores.Alerts.ClaimDueAlertsAsync(next - Duration.FromMilliseconds(1), next + Duration.FromMinutes(5), 100, default));
        Assert.Equal([alert.Id], await Stores.Alerts.ClaimDueAlertsAsync(next, next + Duration.FromMinutes(5), 100, default));
    }

    [Fact]
    public async Task A_raised_alert_is_due_at_the_exact_instant_its_first_claim_ends_and_not_a_millisecond_before()
    {
        var (_, alert) = await IssuedAsync();

        var before = await Stores.Alerts.ClaimDueAlertsAsync(alert.NextAttemptAt - Duration.FromMilliseconds(1), alert.NextAttemptAt + Duration.FromMinutes(5), 100, default);
        var at = await Stores.Alerts.ClaimDueAlertsAsync(alert.NextAttemptAt, alert.NextAttemptAt + Duration.FromMinutes(5), 100, default);

        Assert.Empty(before);
        Assert.Equal([alert.Id], at);
    }

    [Fact]
    public async Task A_claimed_alert_is_not_claimed_again_until_its_claim_ends()
    {
        var (_, alert) = await IssuedAsync();
        var due = alert.NextAttemptAt;
        var claimUntil = due + Duration.FromMinutes(5);

        var first = await Stores.Alerts.ClaimDueAlertsAsync(due, claimUntil, 100, default);
        var again = await Stores.Alerts.ClaimDueAlertsAsync(due, claimUntil, 100, default);
        var justBefore = await Stores.Alerts.ClaimDueAlertsAsync(claimUntil - Duration.FromMilliseconds(1), claimUntil + Duration.FromMinutes(5), 100, default);
        var heldUntil = (await Stores.Alerts.FindAlertAsync(alert.Id, default))!.Alert.NextAttemptAt;
        var afterIt = await Stores.Alerts.ClaimDueAlertsAsync(claimUntil, claimUntil + Duration.FromMinutes(5), 100, default);

        Assert.Equal([alert.Id], first);
        Assert.Empty(again);
        Assert.Empty(justBefore);
        Assert.Equal(claimUntil, heldUntil);
        Assert.Equal([alert.Id], afterIt);
    }

    [Fact]
    public async Task A_claim_takes_at_most_its_batch_the_earliest_due_first_and_the_next_claim_the_rest()
    {
        var alerts = new List<BreakGlassAlert>();
        for (var i = 0; i < 3; i++)
        {
            var (_, alert) = await IssuedAsync();
            await Stores.Alerts.RetryAlertLaterAsync(alert.Id, 1, Now + Duration.FromMinutes(3 - i), default);
            alerts.Add(alert);
        }

        var later = Now + Duration.FromHours(1);
        var first = await Stores.Alerts.ClaimDueAlertsAsync(later, later + Duration.FromMinutes(5), 2, default);
        var second = await Stores.Alerts.ClaimDueAlertsAsync(later, later + Duration.FromMinutes(5), 2, default);

        Assert.Equal(new[] { alerts[2].Id, alerts[1].Id }.Order(StringComparer.Ordinal), first.Order(StringComparer.Ordinal));
        Assert.Equal([alerts[0].Id], second);
    }

    [Fact]
    public async Task Two_claims_at_once_never_take_the_same_alert()
    {
        var raised = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            raised.Add((await IssuedAsync()).Alert.Id);
        }

        var due = Now + AlertRetry.Default.ClaimFor;
        var claims = await RaceAsync(4, _ => Stores.Alerts.ClaimDueAlertsAsync(due, due + Duration.FromMinutes(5), 5, default));

        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.Equal(raised.Order(StringComparer.Ordinal), claimed.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Two claims whose batches together just hold every due alert: each must take alerts the other
    /// does not hold, or an alert is delivered twice and another not at all. The alerts are made due
    /// again and raced for round after round, so the two claims meet inside their statements.
    /// </summary>
    [Fact]
    public async Task Two_claims_racing_take_disjoint_alerts_that_together_are_every_due_alert()
    {
        var raised = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            raised.Add((await IssuedAsync()).Alert.Id);
        }

        var due = Now + AlertRetry.Default.ClaimFor;
        Task<IReadOnlyList<string>[]> ClaimTwiceAtOnceAsync(Instant now, int batch) =>
            RaceAsync(2, _ => Stores.Alerts.ClaimDueAlertsAsync(now, due + Duration.FromDays(1), batch, default));

        // Nothing is due yet: this race only readies what each claim opens, so the races below overlap in their statements.
        Assert.All(await ClaimTwiceAtOnceAsync(due - Duration.FromMilliseconds(1), raised.Count), Assert.Empty);
        for (var round = 1; round <= 100; round++)
        {
            var claims = await ClaimTwiceAtOnceAsync(due, raised.Count / 2);

            Assert.Empty(claims[0].Intersect(claims[1], StringComparer.Ordinal));
            Assert.Equal(raised.Order(StringComparer.Ordinal), claims[0].Concat(claims[1]).Order(StringComparer.Ordinal));
            foreach (var id in raised)
            {
                await Stores.Alerts.RetryAlertLaterAsync(id, round, due, default);
            }
        }
    }

    [Fact]
    public async Task The_backlog_counts_undelivered_alerts_and_of_those_the_ones_whose_delivery_failed()
    {
        Assert.Equal(new AlertBacklog(0, 0), await Stores.Alerts.CountBacklogAsync(default));
        var (_, delivered) = await IssuedAsync();
        var (_, failing) = await IssuedAsync();
        await IssuedAsync();
        await Stores.Alerts.CompleteAlertAsync(delivered.Id, Now, default);
        await Stores.Alerts.RetryAlertLaterAsync(failing.Id, 2, Now + Duration.FromMinutes(1), default);

        Assert.Equal(new AlertBacklog(2, 1), await Stores.Alerts.CountBacklogAsync(default));

        await Stores.Alerts.CompleteAlertAsync(failing.Id, Now, default);
        Assert.Equal(new AlertBacklog(1, 0), await Stores.Alerts.CountBacklogAsync(default));
    }
}
