using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="IAuditStore"/> must do: append records as one unbroken chain, page it at its
/// boundaries, keep its head, keep instants at the stored precision, and let Core's
/// <see cref="AuditVerifier"/> find exactly the event someone tampered with.
/// </summary>
public abstract class AuditStoreContract : StoreContract
{
    /// <summary>Changes one field (the actor) of stored event <paramref name="seq"/>, leaving its MAC as it was.</summary>
    protected abstract Task EditStoredEventAsync(long seq);

    /// <summary>Removes the stored events from <paramref name="fromSeq"/> to <paramref name="toSeq"/>, leaving the head as it was.</summary>
    protected abstract Task DeleteStoredEventsAsync(long fromSeq, long toSeq);

    /// <summary>Points the stored head at event <paramref name="seq"/> (its seq and MAC), leaving the head's own MAC as it was.</summary>
    protected abstract Task MoveHeadBackAsync(long seq);

    private Task<AuditVerification> VerifyAsync() => new AuditVerifier(Stores.Audit, Stores.Chain).VerifyAsync(default);

    private async Task<IReadOnlyList<AuditRecord>> AppendAsync(int count)
    {
        var records = new List<AuditRecord>();
        for (var i = 0; i < count; i++)
        {
            var record = NewRecord("contract.append", $"contract:{i + 1}");
            await Stores.Audit.AppendAsync(record, default);
            records.Add(record);
            Clock.Advance(Duration.FromMilliseconds(1));
        }

        return records;
    }

    [Fact]
    public async Task An_empty_trail_has_no_events_and_no_head()
    {
        Assert.Empty(await Stores.Audit.PageAsync(0, 10, default));
        Assert.Null(await Stores.Audit.ReadHeadAsync(default));
    }

    [Fact]
    public async Task Appended_records_read_back_with_every_field_in_consecutive_places_from_one()
    {
        var records = await AppendAsync(3);

        var events = await Stores.Audit.PageAsync(0, 10, default);

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.Equal(
            records.Select(r => (r.At, r.Context.Actor, r.Action, r.Target, r.Decision, r.Reason, r.Context.RequestId, r.Context.RemoteAddress, r.Context.UserAgent)),
            events.Select(e => (e.At, e.Actor, e.Action, e.Target, e.Decision, e.Reason, e.RequestId, e.RemoteAddress, e.UserAgent)));
        Assert.All(events, e => Assert.True(Stores.Chain.HasValidMac(e)));
    }

    [Fact]
    public async Task Each_event_links_to_the_mac_of_the_one_before_it()
    {
        await AppendAsync(3);

        var events = await Stores.Audit.PageAsync(0, 10, default);

        Assert.Equal([AuditChain.Genesis, events[0].Mac, events[1].Mac], events.Select(e => e.PreviousMac));
        Assert.Equal(3, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task Null_fields_of_a_record_read_back_as_null()
    {
        var record = new AuditRecord(Now, AuditContext.System, "contract.append", "contract:system", AuditDecision.Denied);
        await Stores.Audit.AppendAsync(record, default);

        var e = Assert.Single(await Stores.Audit.PageAsync(0, 10, default));

        Assert.Equal(("system", (string?)null, (string?)null, (string?)null, (string?)null), (e.Actor, e.Reason, e.RequestId, e.RemoteAddress, e.UserAgent));
        Assert.True(Stores.Chain.HasValidMac(e));
    }

    [Fact]
    public async Task A_page_starts_after_the_given_place_and_holds_at_most_the_limit()
    {
        await AppendAsync(7);

        var page = await Stores.Audit.PageAsync(2, 3, default);

        Assert.Equal([3L, 4L, 5L], page.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_limit_equal_to_the_events_left_returns_all_of_them_and_the_next_page_is_empty()
    {
        await AppendAsync(5);

        var rest = await Stores.Audit.PageAsync(2, 3, default);
        var next = await Stores.Audit.PageAsync(rest[^1].Seq, 3, default);

        Assert.Equal([3L, 4L, 5L], rest.Select(e => e.Seq));
        Assert.Empty(next);
    }

    [Fact]
    public async Task Paging_after_the_newest_event_returns_an_empty_page()
    {
        await AppendAsync(4);

        Assert.Empty(await Stores.Audit.PageAsync(4, 10, default));
        Assert.Empty(await Stores.Audit.PageAsync(400, 10, default));
    }

    [Fact]
    public async Task The_head_points_at_the_newest_event_and_is_sealed_by_the_chain()
    {
        await AppendAsync(3);

        var head = await Stores.Audit.ReadHeadAsync(default);
        var newest = (await Stores.Audit.PageAsync(2, 1, default)).Single();

        Assert.NotNull(head);
        Assert.Equal((3L, newest.Mac), (head.Seq, head.Mac));
        Assert.True(Stores.Chain.HasValidHead(head));
    }

    [Fact]
    public async Task An_instant_with_sub_millisecond_ticks_is_kept_at_the_millisecond_it_falls_in()
    {
        var at = Now.PlusTicks(1_239_999);
        await Stores.Audit.AppendAsync(NewRecord("contract.append") with { At = at }, default);

        var e = Assert.Single(await Stores.Audit.PageAsync(0, 10, default));

        Assert.Equal(Now.PlusTicks(1_230_000), e.At);
        Assert.True(Stores.Chain.HasValidMac(e));
    }

    [Fact]
    public async Task Records_appended_at_once_form_one_unbroken_chain()
    {
        await RaceAsync(40, async i =>
        {
            await Stores.Audit.AppendAsync(NewRecord("contract.race", $"contract:{i}"), default);
            return i;
        });

        var events = await TrailAsync();

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"contract:{i}").Order(StringComparer.Ordinal), events.Select(e => e.Target).Order(StringComparer.Ordinal));
        Assert.Equal(new AuditVerification(true, 40, null, null), await VerifyAsync());
    }

    [Fact]
    public async Task Records_written_with_the_changes_of_other_stores_join_the_same_chain()
    {
        await Stores.Audit.AppendAsync(NewRecord("contract.append", "contract:first"), default);
        await Stores.Tokens.AddAsync(NewToken(), NewRecord("token.create", "token:second"), default);
        Assert.True(await Stores.Secrets.AddVersionAsync(NewSecretVersion(ContractFakers.Name("db"), 1), NewRecord("secret.put", "secret:third"), default));
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(NewLease(LeaseState.Issuing), null, NewRecord("lease.issue", "lease:fourth"), default));

        var events = await TrailAsync();

        Assert.Equal(["contract:first", "token:second", "secret:third", "lease:fourth"], events.Select(e => e.Target));
        Assert.Equal(new AuditVerification(true, 4, null, null), await VerifyAsync());
    }

    [Fact]
    public async Task An_untouched_trail_verifies_as_intact()
    {
        await AppendAsync(8);

        Assert.Equal(new AuditVerification(true, 8, null, null), await VerifyAsync());
    }

    [Fact]
    public async Task An_edited_event_is_found_at_that_event_as_a_mac_mismatch()
    {
        await AppendAsync(8);

        await EditStoredEventAsync(4);

        Assert.Equal(new AuditVerification(false, 3, 4, AuditVerification.MacMismatch), await VerifyAsync());
    }

    [Fact]
    public async Task An_event_removed_from_the_middle_is_found_at_its_place_as_missing()
    {
        await AppendAsync(8);

        await DeleteStoredEventsAsync(4, 4);

        Assert.Equal(new AuditVerification(false, 3, 4, AuditVerification.MissingEvent), await VerifyAsync());
    }

    [Fact]
    public async Task The_newest_events_removed_are_found_at_the_first_of_them_as_a_head_mismatch()
    {
        await AppendAsync(8);

        await DeleteStoredEventsAsync(7, 8);

        Assert.Equal(new AuditVerification(false, 6, 7, AuditVerification.HeadMismatch), await VerifyAsync());
    }

    [Fact]
    public async Task A_head_moved_back_over_removed_events_is_caught_by_its_own_mac()
    {
        await AppendAsync(8);

        await DeleteStoredEventsAsync(7, 8);
        await MoveHeadBackAsync(6);

        Assert.Equal(new AuditVerification(false, 6, 7, AuditVerification.HeadMismatch), await VerifyAsync());
    }

    [Fact]
    public async Task A_trail_verified_in_pages_finds_an_edit_beyond_the_first_page()
    {
        // A few at a time: a thousand appends at once would queue on the chain's head longer than a
        // connection pool's timeout on a busy machine.
        await Parallel.ForEachAsync(Enumerable.Range(0, 1005), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await Stores.Audit.AppendAsync(NewRecord("contract.bulk", $"contract:{i}"), ct));

        await EditStoredEventAsync(1003);

        Assert.Equal(new AuditVerification(false, 1002, 1003, AuditVerification.MacMismatch), await VerifyAsync());
    }
}
