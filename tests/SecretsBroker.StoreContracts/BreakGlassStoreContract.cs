using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="IBreakGlassStore"/> does: a request approved only while pending, inside its
/// window and by someone other than its requester; issued or failed once approved; collected once;
/// reviewed once by a third person; expired at the exact end of its window; listed newest first; and
/// reminded. Each write that answers false leaves the request and the trail as they were.
/// </summary>
public abstract class BreakGlassStoreContract : BreakGlassRequestContract
{
    [Fact]
    public async Task An_inserted_request_is_found_as_it_was_made_and_committed_with_its_record()
    {
        var request = NewRequest();
        var record = NewRecord(AuditActions.BreakGlassRequest, $"break_glass:{request.Id} role:{request.Role}") with { Reason = "incident INC-1; ttl 900s" };
        var before = (await TrailAsync()).Count;

        await Stores.BreakGlass.InsertAsync(request, record, default);

        Assert.Equal(request, await Stores.BreakGlass.FindAsync(request.Id, default));
        AuditTrailAssert.Appended(await TrailAsync(), before, record);
        Assert.Null(await Stores.BreakGlass.FindAsync(LeaseId.New(Now), default));
    }

    [Fact]
    public async Task A_pending_request_is_approved_once_by_another_operator_inside_its_window()
    {
        var request = await RequestAsync();
        Clock.Advance(Window - Duration.FromMilliseconds(1));
        var record = NewRecord(AuditActions.BreakGlassApprove, "break_glass:" + request.Id) with { Reason = "requested by " + request.RequesterActor };
        var before = (await TrailAsync()).Count;

        Assert.True(await Stores.BreakGlass.ApproveAsync(request.Id, Approver, Now, record, default));

        var approved = request with { State = BreakGlassRequest.Approved, Approver = Approver };
        Assert.Equal(approved, await FindAsync(request.Id));
        AuditTrailAssert.Appended(await TrailAsync(), before, record);
        await AssertRefusedAsync(approved, () => Stores.BreakGlass.ApproveAsync(request.Id, "tok_third", Now, NewRecord(AuditActions.BreakGlassApprove), default));
    }

    [Fact]
    public async Task The_requester_never_approves_their_own_request()
    {
        var request = await RequestAsync();

        await AssertRefusedAsync(request, () => Stores.BreakGlass.ApproveAsync(request.Id, Requester, Now, NewRecord(AuditActions.BreakGlassApprove), default));
    }

    [Fact]
    public async Task A_request_is_not_approved_at_the_exact_end_of_its_window_or_after()
    {
        var request = await RequestAsync();

        await AssertRefusedAsync(request, () => Stores.BreakGlass.ApproveAsync(request.Id, Approver, request.ApproveBy, NewRecord(AuditActions.BreakGlassApprove), default));
        await AssertRefusedAsync(request, () => Stores.BreakGlass.ApproveAsync(
            request.Id, Approver, request.ApproveBy + Duration.FromMinutes(1), NewRecord(AuditActions.BreakGlassApprove), default));
    }

    [Fact]
    public async Task Only_a_pending_request_is_approved()
    {
        var approvedAtOnce = await RequestAsync(BreakGlassRequest.Approved);
        var (issued, _) = await IssuedAsync();
        var expired = await RequestAsync();
        var failed = await ApprovedAsync();
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(failed.Id, null, null, default));
        Assert.Equal(1, await ExpireAsync(expired.ApproveBy));

        foreach (var id in new[] { approvedAtOnce.Id, issued.Id, expired.Id, failed.Id })
        {
            var request = await FindAsync(id);
            await AssertRefusedAsync(request, () => Stores.BreakGlass.ApproveAsync(id, "tok_third", Now, NewRecord(AuditActions.BreakGlassApprove), default));
        }

        await AssertRefusedAsync(null, () => Stores.BreakGlass.ApproveAsync(LeaseId.New(Now), Approver, Now, NewRecord(AuditActions.BreakGlassApprove), default));
    }

    [Fact]
    public async Task An_approved_request_is_marked_issued_with_its_lease_and_alert_and_no_record_of_the_stores_own()
    {
        var request = await ApprovedAsync();
        var alert = NewAlert(request.Id);
        var before = (await TrailAsync()).Count;

        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(request.Id, request.Id, alert, default));

        Assert.Equal(request with { State = BreakGlassRequest.Issued, LeaseId = request.Id }, await FindAsync(request.Id));
        Assert.Equal(alert, (await Stores.Alerts.FindAlertAsync(alert.Id, default))?.Alert);
        await AssertNothingAuditedAsync(before);
    }

    [Fact]
    public async Task A_failed_issuance_becomes_issued_when_its_lease_turns_up_and_then_never_again()
    {
        var request = await ApprovedAsync();

        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(request.Id, null, null, default));
        var failed = await FindAsync(request.Id);
        await AssertRefusedAsync(failed, () => Stores.BreakGlass.MarkIssuedAsync(request.Id, null, null, default));
        var alert = NewAlert(request.Id);
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(request.Id, request.Id, alert, default));
        var issued = await FindAsync(request.Id);
        var second = NewAlert(request.Id);
        await AssertRefusedAsync(issued, () => Stores.BreakGlass.MarkIssuedAsync(request.Id, request.Id, second, default));

        Assert.Equal(request with { State = BreakGlassRequest.Failed }, failed);
        Assert.Equal(request with { State = BreakGlassRequest.Issued, LeaseId = request.Id }, issued);
        Assert.NotNull(await Stores.Alerts.FindAlertAsync(alert.Id, default));
        Assert.Null(await Stores.Alerts.FindAlertAsync(second.Id, default));
    }

    [Fact]
    public async Task A_request_nobody_approved_is_never_marked_issued_nor_alerted()
    {
        var expired = await RequestAsync();
        Assert.Equal(1, await ExpireAsync(expired.ApproveBy));
        var pending = await RequestAsync();

        foreach (var request in new[] { pending, await FindAsync(expired.Id) })
        {
            var alert = NewAlert(request.Id);
            await AssertRefusedAsync(request, () => Stores.BreakGlass.MarkIssuedAsync(request.Id, request.Id, alert, default));
            await AssertRefusedAsync(request, () => Stores.BreakGlass.MarkIssuedAsync(request.Id, null, null, default));
            Assert.Null(await Stores.Alerts.FindAlertAsync(alert.Id, default));
        }
    }

    [Fact]
    public async Task Stranded_requests_are_those_left_approved_whose_lease_is_not_issuing_each_with_whether_it_is_active()
    {
        var noLease = await RequestAsync(BreakGlassRequest.Approved);
        var active = await RequestAsync(BreakGlassRequest.Approved);
        await InsertLeaseAsync(active.Id, LeaseState.Active);
        var issuing = await RequestAsync(BreakGlassRequest.Approved);
        await InsertLeaseAsync(issuing.Id, LeaseState.Issuing);
        var ended = await RequestAsync(BreakGlassRequest.Approved);
        await InsertLeaseAsync(ended.Id, LeaseState.Active);
        Assert.True(await Stores.Leases.RevokeAsync(ended.Id, RevokeReasons.RevokedByCaller, Now, NewRecord(AuditActions.LeaseRevoke), default));
        var approvedLater = await RequestAsync();
        await RequestAsync();
        await IssuedAsync(twoPerson: false);
        Clock.Advance(Duration.FromMinutes(10));
        Assert.True(await Stores.BreakGlass.ApproveAsync(approvedLater.Id, Approver, Now, NewRecord(AuditActions.BreakGlassApprove), default));

        var stranded = await Stores.BreakGlass.StrandedAsync(Start + Duration.FromMinutes(5), 100, default);

        Assert.Equal(new[] { (noLease.Id, false), (active.Id, true), (ended.Id, false) }.Order(), stranded.Order());
    }

    [Fact]
    public async Task Stranded_requests_come_oldest_approval_first_up_to_the_batch_and_include_the_exact_cutoff()
    {
        var requests = new List<BreakGlassRequest>();
        for (var i = 0; i < 3; i++)
        {
            requests.Add(await RequestAsync(BreakGlassRequest.Approved));
            Clock.Advance(Duration.FromSeconds(1));
        }

        var atCutoff = await Stores.BreakGlass.StrandedAsync(Start + Duration.FromSeconds(1), 100, default);
        var batch = await Stores.BreakGlass.StrandedAsync(Start + Duration.FromMinutes(5), 2, default);

        Assert.Equal([requests[0].Id, requests[1].Id], atCutoff.Select(s => s.Id));
        Assert.Equal([requests[0].Id, requests[1].Id], batch.Select(s => s.Id));
    }

    [Fact]
    public async Task The_credential_of_an_issued_two_person_request_is_collected_once()
    {
        var (request, _) = await IssuedAsync();
        var record = NewRecord(AuditActions.BreakGlassCollect, $"break_glass:{request.Id} lease:{request.Id}") with { Reason = "collected by the requester" };
        var before = (await TrailAsync()).Count;

        Assert.True(await Stores.BreakGlass.MarkCollectedAsync(request.Id, Now, record, default));

        AuditTrailAssert.Appended(await TrailAsync(), before, record);
        await AssertRefusedAsync(request, () => Stores.BreakGlass.MarkCollectedAsync(request.Id, Now, NewRecord(AuditActions.BreakGlassCollect), default));
    }

    [Fact]
    public async Task Nothing_is_collected_of_a_request_that_needed_no_approval_or_is_not_issued()
    {
        var (atOnce, _) = await IssuedAsync(twoPerson: false);
        var pending = await RequestAsync();
        var approved = await ApprovedAsync();
        var failed = await ApprovedAsync();
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(failed.Id, null, null, default));

        foreach (var request in new[] { atOnce, pending, approved, await FindAsync(failed.Id) })
        {
            await AssertRefusedAsync(request, () => Stores.BreakGlass.MarkCollectedAsync(request.Id, Now, NewRecord(AuditActions.BreakGlassCollect), default));
        }
    }

    [Fact]
    public async Task An_issued_request_is_reviewed_once_with_its_reviewer_outcome_notes_and_instant()
    {
        var (request, _) = await IssuedAsync();
        Clock.Advance(Duration.FromHours(2));
        var record = ReviewRecord(request.Id);
        var before = (await TrailAsync()).Count;

        Assert.True(await Stores.BreakGlass.ReviewAsync(request.Id, Reviewer, "justified", "Restore confirmed in INC review", Now, record, default));

        var reviewed = request with { Reviewer = Reviewer, ReviewOutcome = "justified", ReviewNotes = "Restore confirmed in INC review", ReviewedAt = Now };
        Assert.Equal(reviewed, await FindAsync(request.Id));
        AuditTrailAssert.Appended(await TrailAsync(), before, record);
        await AssertRefusedAsync(reviewed, () => Stores.BreakGlass.ReviewAsync(request.Id, "tok_fourth", "unjustified", null, Now, ReviewRecord(request.Id), default));
    }

    [Fact]
    public async Task Neither_the_requester_nor_the_approver_reviews_the_request()
    {
        var (request, _) = await IssuedAsync();

        await AssertRefusedAsync(request, () => Stores.BreakGlass.ReviewAsync(request.Id, Requester, "justified", null, Now, ReviewRecord(request.Id), default));
        await AssertRefusedAsync(request, () => Stores.BreakGlass.ReviewAsync(request.Id, Approver, "justified", null, Now, ReviewRecord(request.Id), default));
    }

    [Fact]
    public async Task A_request_that_needed_no_approval_is_reviewed_by_anyone_but_its_requester()
    {
        var (request, _) = await IssuedAsync(twoPerson: false);

        await AssertRefusedAsync(request, () => Stores.BreakGlass.ReviewAsync(request.Id, Requester, "justified", null, Now, ReviewRecord(request.Id), default));
        Assert.True(await Stores.BreakGlass.ReviewAsync(request.Id, Approver, "needs_follow_up", null, Now, ReviewRecord(request.Id), default));

        var reviewed = await FindAsync(request.Id);
        Assert.Equal((Approver, "needs_follow_up", (string?)null), (reviewed.Reviewer, reviewed.ReviewOutcome, reviewed.ReviewNotes));
    }

    [Fact]
    public async Task A_request_that_was_never_issued_is_not_reviewed()
    {
        var pending = await RequestAsync();
        var approved = await ApprovedAsync();
        var failed = await ApprovedAsync();
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(failed.Id, null, null, default));

        foreach (var request in new[] { pending, approved, await FindAsync(failed.Id) })
        {
            await AssertRefusedAsync(request, () => Stores.BreakGlass.ReviewAsync(request.Id, Reviewer, "justified", null, Now, ReviewRecord(request.Id), default));
        }
    }

    [Fact]
    public async Task Pending_requests_expire_at_the_exact_end_of_their_window_each_with_its_own_record()
    {
        var first = await RequestAsync();
        var second = await RequestAsync();
        var approved = await RequestAsync(BreakGlassRequest.Approved);
        Clock.Advance(Duration.FromMinutes(5));
        var later = await RequestAsync();
        var records = new Dictionary<string, AuditRecord>();
        AuditRecord RecordFor(string id) => records[id] = NewRecord(AuditActions.BreakGlassExpire, "break_glass:" + id) with { Reason = "not approved within its window" };
        var before = (await TrailAsync()).Count;

        var early = await Stores.BreakGlass.ExpirePendingAsync(first.ApproveBy - Duration.FromMilliseconds(1), RecordFor, default);
        await AssertNothingAuditedAsync(before);
        var atTheEnd = await Stores.BreakGlass.ExpirePendingAsync(first.ApproveBy, RecordFor, default);
        var trail = await TrailAsync();
        var again = await Stores.BreakGlass.ExpirePendingAsync(first.ApproveBy, RecordFor, default);

        Assert.Equal((0, 2, 0), (early, atTheEnd, again));
        Assert.Equal(new[] { first.Id, second.Id }.Order(StringComparer.Ordinal), records.Keys.Order(StringComparer.Ordinal));
        var committed = trail.Skip(before).OrderBy(e => e.Target, StringComparer.Ordinal).ToList();
        AuditTrailAssert.Appended(committed, 0, [.. records.OrderBy(r => r.Value.Target, StringComparer.Ordinal).Select(r => r.Value)]);
        Assert.Equal(trail.Count, (await TrailAsync()).Count);
        Assert.Equal(first with { State = BreakGlassRequest.Expired }, await FindAsync(first.Id));
        Assert.Equal(second with { State = BreakGlassRequest.Expired }, await FindAsync(second.Id));
        Assert.Equal((BreakGlassRequest.Approved, BreakGlassRequest.Pending), ((await FindAsync(approved.Id)).State, (await FindAsync(later.Id)).State));
    }

    [Fact]
    public async Task Requests_list_newest_first_two_in_one_millisecond_by_id_each_page_after_its_cursor_and_exactly_at_its_limit()
    {
        var made = new List<BreakGlassRequest>();
        for (var i = 0; i < 5; i++)
        {
            made.Add(await RequestAsync());
            Clock.Advance(Duration.FromMilliseconds(1));
        }

        made.Add(await RequestAsync());
        made.Add(await RequestAsync());
        var newestFirst = made.OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id).ToList();

        var first = await Stores.BreakGlass.ListAsync(false, null, 3, default);
        var rest = await Stores.BreakGlass.ListAsync(false, first[^1].Id, 4, default);
        var past = await Stores.BreakGlass.ListAsync(false, rest[^1].Id, 4, default);
        var second = await Stores.BreakGlass.ListAsync(false, first[^1].Id, 3, default);

        Assert.Equal(newestFirst, first.Concat(rest).Select(r => r.Id));
        Assert.Empty(past);
        Assert.Equal(newestFirst[3..6], second.Select(r => r.Id));
        Assert.Equal(made[^1].RequestedAt, made[^2].RequestedAt);
    }

    [Fact]
    public async Task The_unreviewed_list_holds_only_issued_requests_nobody_has_reviewed_newest_first()
    {
        await RequestAsync();
        await ApprovedAsync();
        var failed = await ApprovedAsync();
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(failed.Id, null, null, default));
        var unreviewed = new List<BreakGlassRequest>();
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(Duration.FromMilliseconds(1));
            unreviewed.Add((await IssuedAsync(twoPerson: i != 1)).Request);
        }

        var (reviewed, _) = await IssuedAsync();
        Assert.True(await Stores.BreakGlass.ReviewAsync(reviewed.Id, Reviewer, "justified", null, Now, ReviewRecord(reviewed.Id), default));

        var first = await Stores.BreakGlass.ListAsync(true, null, 2, default);
        var rest = await Stores.BreakGlass.ListAsync(true, first[^1].Id, 2, default);
        var all = await Stores.BreakGlass.ListAsync(false, null, 100, default);

        Assert.Equal([unreviewed[2].Id, unreviewed[1].Id], first.Select(r => r.Id));
        Assert.Equal([unreviewed[0].Id], rest.Select(r => r.Id));
        Assert.Equal(7, all.Count);
    }

    [Fact]
    public async Task A_list_after_a_request_that_does_not_exist_is_empty()
    {
        await RequestAsync();
        await IssuedAsync();

        Assert.Empty(await Stores.BreakGlass.ListAsync(false, LeaseId.New(Now + Duration.FromDays(1)), 10, default));
        Assert.Empty(await Stores.BreakGlass.ListAsync(true, LeaseId.New(Now + Duration.FromDays(1)), 10, default));
    }

    [Fact]
    public async Task Reminders_are_due_for_issued_unreviewed_requests_made_by_the_cutoff_and_not_reminded_since()
    {
        var (due, _) = await IssuedAsync();
        var (reviewed, _) = await IssuedAsync();
        Assert.True(await Stores.BreakGlass.ReviewAsync(reviewed.Id, Reviewer, "justified", null, Now, ReviewRecord(reviewed.Id), default));
        await RequestAsync();
        var failed = await ApprovedAsync();
        Assert.True(await Stores.BreakGlass.MarkIssuedAsync(failed.Id, null, null, default));
        Clock.Advance(Duration.FromMinutes(10));
        await IssuedAsync();

        var byCutoff = await Stores.BreakGlass.DueRemindersAsync(Start + Duration.FromMinutes(5), Start + Duration.FromMinutes(5), 100, default);
        var atCutoff = await Stores.BreakGlass.DueRemindersAsync(due.RequestedAt, due.RequestedAt, 100, default);
        var beforeIt = await Stores.BreakGlass.DueRemindersAsync(due.RequestedAt - Duration.FromMilliseconds(1), due.RequestedAt, 100, default);

        Assert.Equal([due], byCutoff);
        Assert.Equal([due], atCutoff);
        Assert.Empty(beforeIt);
    }

    [Fact]
    public async Task A_reminded_request_is_due_again_only_once_its_last_reminder_is_at_or_before_the_cutoff_and_its_alert_is_stored()
    {
        var (request, _) = await IssuedAsync();
        Clock.Advance(Duration.FromDays(1));
        var alert = NewAlert(request.Id, BreakGlassAlertKinds.ReviewReminder);
        var before = (await TrailAsync()).Count;

        Assert.True(await Stores.BreakGlass.MarkRemindedAsync(request.Id, Now, Now, alert, default));

        Assert.Empty(await Stores.BreakGlass.DueRemindersAsync(Now, Now - Duration.FromMilliseconds(1), 100, default));
        Assert.Equal([request], await Stores.BreakGlass.DueRemindersAsync(Now, Now, 100, default));
        Assert.Equal(alert, (await Stores.Alerts.FindAlertAsync(alert.Id, default))?.Alert);
        await AssertNothingAuditedAsync(before);
    }

    [Fact]
    public async Task Of_two_sweeps_reminding_one_request_at_once_one_raises_the_reminder_and_its_alert_and_the_other_finds_it_done()
    {
        for (var round = 0; round < 10; round++)
        {
            var (request, _) = await IssuedAsync();
            Clock.Advance(Duration.FromDays(1));
            var alerts = new[] { NewAlert(request.Id, BreakGlassAlertKinds.ReviewReminder), NewAlert(request.Id, BreakGlassAlertKinds.ReviewReminder) };
            var cutoff = Now - Duration.FromHours(1);

            var marked = await Task.WhenAll(alerts.Select(a => Task.Run(() => Stores.BreakGlass.MarkRemindedAsync(request.Id, cutoff, Now, a, default))));

            Assert.Equal(1, marked.Count(m => m));
            var stored = new List<BreakGlassAlert>();
            foreach (var alert in alerts)
            {
                if ((await Stores.Alerts.FindAlertAsync(alert.Id, default))?.Alert is { } found)
                {
                    stored.Add(found);
                }
            }

            Assert.Equal([alerts[Array.IndexOf(marked, true)]], stored);
        }
    }

    [Fact]
    public async Task A_reviewed_request_is_not_reminded_and_no_alert_is_stored_for_it()
    {
        var (request, _) = await IssuedAsync();
        Assert.True(await Stores.BreakGlass.ReviewAsync(request.Id, Reviewer, "justified", null, Now, ReviewRecord(request.Id), default));
        Clock.Advance(Duration.FromDays(1));
        var alert = NewAlert(request.Id, BreakGlassAlertKinds.ReviewReminder);

        var marked = await Stores.BreakGlass.MarkRemindedAsync(request.Id, Now, Now, alert, default);

        Assert.False(marked);
        Assert.Null(await Stores.Alerts.FindAlertAsync(alert.Id, default));
    }

    [Fact]
    public async Task Due_reminders_come_oldest_request_first_up_to_the_batch()
    {
        var issued = new List<BreakGlassRequest>();
        for (var i = 0; i < 3; i++)
        {
            issued.Add((await IssuedAsync()).Request);
            Clock.Advance(Duration.FromSeconds(1));
        }

        var due = await Stores.BreakGlass.DueRemindersAsync(Now, Now, 2, default);

        Assert.Equal([issued[0].Id, issued[1].Id], due.Select(r => r.Id));
    }

    /// <summary>Asserts that <paramref name="write"/> answers false, leaves <paramref name="unchanged"/> as it was (when there is one) and commits no record.</summary>
    private async Task AssertRefusedAsync(BreakGlassRequest? unchanged, Func<Task<bool>> write)
    {
        var before = (await TrailAsync()).Count;

        Assert.False(await write());

        await AssertNothingAuditedAsync(before);
        if (unchanged is not null)
        {
            Assert.Equal(unchanged, await FindAsync(unchanged.Id));
        }
    }

    /// <summary>The lease of a request: a break-glass lease has its request's id.</summary>
    private async Task InsertLeaseAsync(string requestId, string state) =>
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(
            NewLease(state) with { Id = requestId, Issuer = "operator", Subject = Requester, BreakGlass = true, Renewable = false, Claims = null },
            null, NewRecord(AuditActions.BreakGlassIssue, "lease:" + requestId), default));

    private Task<int> ExpireAsync(Instant now) =>
        Stores.BreakGlass.ExpirePendingAsync(now, id => NewRecord(AuditActions.BreakGlassExpire, "break_glass:" + id), default);

    [Fact]
    public async Task The_backlog_counts_requests_open_for_approval_until_their_window_ends_and_issued_ones_until_reviewed()
    {
        Assert.Equal(new BreakGlassBacklog(0, 0), await Stores.BreakGlass.CountBacklogAsync(Now, default));
        var pending = await RequestAsync();
        await RequestAsync();
        await IssuedAsync();
        var (reviewed, _) = await IssuedAsync();
        Assert.True(await Stores.BreakGlass.ReviewAsync(reviewed.Id, Reviewer, "justified", null, Now, ReviewRecord(reviewed.Id), default));
        await RequestAsync(BreakGlassRequest.Approved);

        Assert.Equal(new BreakGlassBacklog(2, 1), await Stores.BreakGlass.CountBacklogAsync(Now, default));
        Assert.Equal(new BreakGlassBacklog(2, 1), await Stores.BreakGlass.CountBacklogAsync(pending.ApproveBy - Duration.FromMilliseconds(1), default));
        Assert.Equal(new BreakGlassBacklog(0, 1), await Stores.BreakGlass.CountBacklogAsync(pending.ApproveBy, default));
    }
}
