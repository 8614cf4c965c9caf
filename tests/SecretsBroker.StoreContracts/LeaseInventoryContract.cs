using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="ILeaseInventory"/> must do: page the leases the lease store wrote in id order
/// (ordinal: ids are lower-case hex), exactly at the page boundaries, under each filter; the
/// <c>active</c> and <c>expired</c> filters mean what a reader sees at the instant asked about.
/// </summary>
public abstract class LeaseInventoryContract : StoreContract
{
    private static readonly LeaseFilter Everything = new(null, null, null, null, null);

    private async Task<Lease> InsertAsync(Lease lease)
    {
        var credential = lease.State == LeaseState.Active ? ContractFakers.Ciphertext() : null;
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(lease, credential, NewRecord("lease.issue", "lease:" + lease.Id), default));
        return lease;
    }

    private async Task<List<Lease>> InsertManyAsync(int count, Func<Lease, Lease>? vary = null)
    {
        var leases = new List<Lease>();
        for (var i = 0; i < count; i++)
        {
            leases.Add(await InsertAsync((vary ?? (l => l))(NewLease())));
            Clock.Advance(Duration.FromMilliseconds(i % 3));
        }

        return leases;
    }

    private Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after = null, int limit = 100) =>
        Stores.LeaseInventory.PageAsync(filter, after, limit, Now, default);

    private static List<string> IdsInOrder(IEnumerable<Lease> leases) => leases.Select(l => l.Id).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task An_empty_inventory_has_an_empty_first_page()
    {
        Assert.Empty(await PageAsync(Everything));
    }

    [Fact]
    public async Task Pages_hold_leases_in_id_order_up_to_the_limit_each_starting_after_the_last_one_seen()
    {
        var leases = await InsertManyAsync(10);
        var ids = IdsInOrder(leases);

        var first = await PageAsync(Everything, null, 4);
        var second = await PageAsync(Everything, first[^1].Id, 4);
        var third = await PageAsync(Everything, second[^1].Id, 4);

        Assert.Equal(ids[..4], first.Select(l => l.Id));
        Assert.Equal(ids[4..8], second.Select(l => l.Id));
        Assert.Equal(ids[8..], third.Select(l => l.Id));
    }

    [Fact]
    public async Task Leases_are_paged_as_every_reader_gets_them_back()
    {
        var lease = await InsertAsync(NewLease() with { Writer = LeaseWriter.StartOn("node-a"), IdempotencyKey = "key-1" });

        Assert.Equal([AsRead(lease)], await PageAsync(Everything));
    }

    [Fact]
    public async Task A_limit_equal_to_the_leases_left_returns_all_of_them_and_the_next_page_is_empty()
    {
        var ids = IdsInOrder(await InsertManyAsync(6));

        var rest = await PageAsync(Everything, ids[1], 4);
        var next = await PageAsync(Everything, rest[^1].Id, 4);

        Assert.Equal(ids[2..], rest.Select(l => l.Id));
        Assert.Empty(next);
    }

    [Fact]
    public async Task Paging_after_the_last_id_returns_an_empty_page()
    {
        var ids = IdsInOrder(await InsertManyAsync(3));

        Assert.Empty(await PageAsync(Everything, ids[^1]));
        Assert.Empty(await PageAsync(Everything, new string('f', LeaseId.Length)));
    }

    [Fact]
    public async Task Paging_after_an_id_that_is_not_stored_starts_at_the_next_id_in_order()
    {
        var ids = IdsInOrder(await InsertManyAsync(6));

        var page = await PageAsync(Everything, ids[2] + "0", 2);

        Assert.Equal(ids[3..5], page.Select(l => l.Id));
    }

    [Theory]
    [InlineData("issuer")]
    [InlineData("subject")]
    [InlineData("run")]
    [InlineData("role")]
    [InlineData("break-glass")]
    [InlineData("not-break-glass")]
    public async Task Each_filter_returns_only_the_leases_it_names(string by)
    {
        var matching = NewLease() with { Issuer = "gitlab", Role = "app-db", BreakGlass = true };
        var wanted = await InsertManyAsync(3, l => l with { Issuer = matching.Issuer, Subject = matching.Subject, RunId = matching.RunId, Role = matching.Role, BreakGlass = true });
        var others = await InsertManyAsync(3);
        var filter = by switch
        {
            "issuer" => Everything with { Issuer = matching.Issuer },
            "subject" => Everything with { Subject = matching.Subject },
            "run" => Everything with { Run = matching.RunId },
            "role" => Everything with { Role = matching.Role },
            "break-glass" => Everything with { BreakGlass = true },
            "not-break-glass" => Everything with { BreakGlass = false },
            _ => throw new ArgumentOutOfRangeException(nameof(by)),
        };

        var page = await PageAsync(filter);

        Assert.Equal(IdsInOrder(by == "not-break-glass" ? others : wanted), page.Select(l => l.Id));
    }

    [Fact]
    public async Task Filters_given_together_must_all_match()
    {
        var lease = await InsertAsync(NewLease());
        await InsertAsync(NewLease() with { Issuer = lease.Issuer, RunId = ContractFakers.RunId() });
        await InsertAsync(NewLease() with { Issuer = "gitlab", RunId = lease.RunId });

        var page = await PageAsync(Everything with { Issuer = lease.Issuer, Run = lease.RunId });

        Assert.Equal([lease.Id], page.Select(l => l.Id));
    }

    [Fact]
    public async Task A_filtered_inventory_pages_at_the_same_boundaries()
    {
        var run = ContractFakers.RunId();
        var ids = IdsInOrder(await InsertManyAsync(5, l => l with { RunId = run }));
        await InsertManyAsync(5);
        var filter = Everything with { Run = run };

        var first = await PageAsync(filter, null, 2);
        var second = await PageAsync(filter, first[^1].Id, 2);
        var third = await PageAsync(filter, second[^1].Id, 2);

        Assert.Equal([ids[..2], ids[2..4], ids[4..]], new[] { first, second, third }.Select(p => p.Select(l => l.Id).ToList()));
    }

    [Fact]
    public async Task At_its_expiry_instant_an_active_lease_is_seen_as_expired_and_no_longer_as_active()
    {
        var lease = await InsertAsync(NewLease(ttl: Duration.FromMinutes(1)));
        await InsertAsync(NewLease(LeaseState.Issuing, ttl: Duration.FromSeconds(1)));
        var active = Everything with { State = LeaseState.Active };
        var expired = Everything with { State = LeaseState.Expired };

        var justBefore = lease.ExpiresAt - Duration.FromMilliseconds(1);
        Assert.Equal([lease.Id], (await Stores.LeaseInventory.PageAsync(active, null, 10, justBefore, default)).Select(l => l.Id));
        Assert.Empty(await Stores.LeaseInventory.PageAsync(expired, null, 10, justBefore, default));
        Assert.Empty(await Stores.LeaseInventory.PageAsync(active, null, 10, lease.ExpiresAt, default));
        Assert.Equal([lease.Id], (await Stores.LeaseInventory.PageAsync(expired, null, 10, lease.ExpiresAt, default)).Select(l => l.Id));
    }

    [Fact]
    public async Task A_swept_lease_is_seen_in_its_stored_state_and_no_longer_as_expired()
    {
        var lease = await InsertAsync(NewLease(ttl: Duration.FromSeconds(1)));
        Clock.Advance(Duration.FromMinutes(1));
        await Stores.Leases.SweepExpiredAsync(Now, 100, "expired", n => NewRecord("lease.expire", "leases"), default);

        Assert.Empty(await PageAsync(Everything with { State = LeaseState.Expired }));
        Assert.Equal([lease.Id], (await PageAsync(Everything with { State = LeaseState.Revoking })).Select(l => l.Id));
    }

    [Fact]
    public async Task Every_stored_state_filters_on_that_state()
    {
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing));
        await InsertAsync(NewLease());
        var revoking = await InsertAsync(NewLease());
        await Stores.Leases.RevokeAsync(revoking.Id, "contract_reason", Now, NewRecord("lease.revoke"), default);
        var revoked = await InsertAsync(NewLease());
        await Stores.Leases.RevokeAsync(revoked.Id, "contract_reason", Now, NewRecord("lease.revoke"), default);
        var failed = await InsertAsync(NewLease());
        await Stores.Leases.RevokeAsync(failed.Id, "contract_reason", Now, NewRecord("lease.revoke"), default);
        await Stores.Leases.CompleteRevocationsAsync(
            [new RevocationOutcome(revoked.Id, true, 0, null, false, Now), new RevocationOutcome(failed.Id, false, 6, Now + Duration.FromMinutes(5), true, Now)], [], default);

        Assert.Equal(
            [[issuing.Id], [revoking.Id], [revoked.Id], [failed.Id]],
            await Task.WhenAll(new[] { LeaseState.Issuing, LeaseState.Revoking, LeaseState.Revoked, LeaseState.RevokeFailed }
                .Select(async state => (await PageAsync(Everything with { State = state })).Select(l => l.Id).ToList())));
    }
}
