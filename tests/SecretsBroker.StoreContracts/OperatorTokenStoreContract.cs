using NodaTime;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="IOperatorTokenStore"/> must do: keep tokens by their hash (unique), list them,
/// revoke a token once, hand revoked and expired tokens back as they are (the caller refuses them), and
/// commit each write with its audit record, or neither.
/// </summary>
public abstract class OperatorTokenStoreContract : StoreContract
{
    private async Task<OperatorToken> AddAsync(OperatorToken token)
    {
        await Stores.Tokens.AddAsync(token, NewRecord("token.create", "token:" + token.Id), default);
        return token;
    }

    [Fact]
    public async Task An_added_token_is_found_by_its_hash_with_every_field()
    {
        var token = NewToken(person: "alice@example.com");

        await AddAsync(token);

        var found = await Stores.Tokens.FindByHashAsync(token.Hash, default);
        Assert.NotNull(found);
        Assert.Equal(
            (token.Id, token.Name, token.Hash, token.CreatedAt, token.ExpiresAt, token.RevokedAt, token.CreatedBy, token.Person),
            (found.Id, found.Name, found.Hash, found.CreatedAt, found.ExpiresAt, found.RevokedAt, found.CreatedBy, found.Person));
        Assert.Equal(token.Scopes, found.Scopes);
    }

    [Fact]
    public async Task A_token_that_speaks_for_no_person_reads_back_without_one()
    {
        var token = await AddAsync(NewToken() with { Scopes = [Scopes.Admin] });

        var found = await Stores.Tokens.FindByHashAsync(token.Hash, default);

        Assert.Null(found!.Person);
        Assert.Equal([Scopes.Admin], found.Scopes);
    }

    [Fact]
    public async Task An_unknown_hash_finds_nothing()
    {
        await AddAsync(NewToken());

        Assert.Null(await Stores.Tokens.FindByHashAsync(TokenSecret.Hash(TokenSecret.NewValue()), default));
    }

    [Fact]
    public async Task Adding_a_token_commits_its_audit_record_with_it()
    {
        var token = NewToken();
        var record = NewRecord("token.create", "token:" + token.Id);

        await Stores.Tokens.AddAsync(token, record, default);

        await AssertAuditedOnceAsync(0, record);
    }

    [Fact]
    public async Task A_token_whose_hash_is_taken_is_refused_and_leaves_no_audit_record()
    {
        var first = await AddAsync(NewToken());
        var before = (await TrailAsync()).Count;

        var refused = await Record.ExceptionAsync(() => Stores.Tokens.AddAsync(NewToken() with { Hash = first.Hash }, NewRecord("token.create"), default));

        Assert.NotNull(refused);
        Assert.Equal(first.Id, (await Stores.Tokens.FindByHashAsync(first.Hash, default))!.Id);
        Assert.Single(await Stores.Tokens.ListAsync(default));
        await AssertNothingAuditedAsync(before);
    }

    [Fact]
    public async Task A_token_whose_id_is_taken_is_refused_and_leaves_no_audit_record()
    {
        var first = await AddAsync(NewToken());
        var before = (await TrailAsync()).Count;

        var refused = await Record.ExceptionAsync(() => Stores.Tokens.AddAsync(NewToken() with { Id = first.Id }, NewRecord("token.create"), default));

        Assert.NotNull(refused);
        Assert.Equal(first.Hash, Assert.Single(await Stores.Tokens.ListAsync(default)).Hash);
        await AssertNothingAuditedAsync(before);
    }

    [Fact]
    public async Task Listing_returns_every_token_oldest_first()
    {
        var tokens = new List<OperatorToken>();
        for (var i = 0; i < 4; i++)
        {
            tokens.Add(NewToken());
            Clock.Advance(Duration.FromSeconds(1));
        }

        foreach (var token in Enumerable.Reverse(tokens))
        {
            await AddAsync(token);
        }

        Assert.Equal(tokens.Select(t => t.Id), (await Stores.Tokens.ListAsync(default)).Select(t => t.Id));
    }

    [Fact]
    public async Task Tokens_made_in_the_same_millisecond_are_listed_by_id()
    {
        var tokens = Enumerable.Range(0, 5).Select(_ => NewToken()).ToList();
        foreach (var token in tokens)
        {
            await AddAsync(token);
        }

        Assert.Equal(tokens.Select(t => t.Id).Order(StringComparer.Ordinal), (await Stores.Tokens.ListAsync(default)).Select(t => t.Id));
    }

    [Fact]
    public async Task A_listed_revoked_token_carries_when_it_was_revoked()
    {
        var token = await AddAsync(NewToken());
        Clock.Advance(Duration.FromMinutes(3));
        await Stores.Tokens.RevokeAsync(token.Id, Now, NewRecord("token.revoke"), default);

        Assert.Equal(Now, Assert.Single(await Stores.Tokens.ListAsync(default)).RevokedAt);
    }

    [Fact]
    public async Task Revoking_a_token_marks_it_revoked_at_that_instant_with_its_audit_record()
    {
        var token = await AddAsync(NewToken());
        Clock.Advance(Duration.FromMinutes(3));
        var record = NewRecord("token.revoke", "token:" + token.Id);

        Assert.True(await Stores.Tokens.RevokeAsync(token.Id, Now, record, default));

        var found = await Stores.Tokens.FindByHashAsync(token.Hash, default);
        Assert.Equal(Now, found!.RevokedAt);
        Assert.False(found.IsUsableAt(Now));
        await AssertAuditedOnceAsync(1, record);
    }

    [Fact]
    public async Task A_token_is_revoked_once_and_a_second_revoke_returns_false_without_an_audit_record()
    {
        var token = await AddAsync(NewToken());
        var firstAt = Now;
        await Stores.Tokens.RevokeAsync(token.Id, firstAt, NewRecord("token.revoke"), default);
        Clock.Advance(Duration.FromMinutes(1));

        Assert.False(await Stores.Tokens.RevokeAsync(token.Id, Now, NewRecord("token.revoke"), default));

        Assert.Equal(firstAt, (await Stores.Tokens.FindByHashAsync(token.Hash, default))!.RevokedAt);
        await AssertNothingAuditedAsync(2);
    }

    [Fact]
    public async Task Revoking_an_unknown_token_returns_false_without_an_audit_record()
    {
        await AddAsync(NewToken());

        Assert.False(await Stores.Tokens.RevokeAsync(TokenSecret.NewId(), Now, NewRecord("token.revoke"), default));

        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task Revoking_one_token_leaves_the_others_usable()
    {
        var revoked = await AddAsync(NewToken());
        var kept = await AddAsync(NewToken());

        await Stores.Tokens.RevokeAsync(revoked.Id, Now, NewRecord("token.revoke"), default);

        Assert.Null((await Stores.Tokens.FindByHashAsync(kept.Hash, default))!.RevokedAt);
    }

    [Fact]
    public async Task Revoking_a_token_twice_at_once_succeeds_exactly_once()
    {
        var token = await AddAsync(NewToken());

        var outcomes = await RaceAsync(10, _ => Stores.Tokens.RevokeAsync(token.Id, Now, NewRecord("token.revoke"), default));

        Assert.Single(outcomes, revoked => revoked);
        Assert.Equal(2, (await TrailAsync()).Count);
    }

    /// <summary>
    /// "Live" in the interface means not yet revoked: an expired token can still be revoked, so a clock
    /// set back (which would make it usable again) finds it revoked all the same.
    /// </summary>
    [Fact]
    public async Task An_expired_token_is_still_found_and_can_still_be_revoked()
    {
        var token = await AddAsync(NewToken(ttl: Duration.FromMinutes(5)));
        Clock.Advance(Duration.FromMinutes(6));

        var found = await Stores.Tokens.FindByHashAsync(token.Hash, default);

        Assert.False(found!.IsUsableAt(Now));
        Assert.True(await Stores.Tokens.RevokeAsync(token.Id, Now, NewRecord("token.revoke"), default));
        Assert.Equal(Now, (await Stores.Tokens.FindByHashAsync(token.Hash, default))!.RevokedAt);
    }

    [Fact]
    public async Task Instants_with_sub_millisecond_ticks_are_kept_at_the_millisecond_they_fall_in()
    {
        var token = NewToken() with { CreatedAt = Now.PlusTicks(4_567), ExpiresAt = Now.Plus(Duration.FromHours(1)).PlusTicks(9_999) };
        await AddAsync(token);
        var revokedAt = Now.PlusTicks(25_001);
        await Stores.Tokens.RevokeAsync(token.Id, revokedAt, NewRecord("token.revoke"), default);

        var found = await Stores.Tokens.FindByHashAsync(token.Hash, default);

        Assert.Equal((Stored(token.CreatedAt), Stored(token.ExpiresAt), Stored(revokedAt)), (found!.CreatedAt, found.ExpiresAt, found.RevokedAt!.Value));
    }
}
