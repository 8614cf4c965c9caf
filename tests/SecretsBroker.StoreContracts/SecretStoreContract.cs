using NodaTime;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="ISecretStore"/> must do: versions that move on one number at a time (exactly one
/// of racing writers of a number wins), pending versions a rotation promotes or drops, values of replaced
/// versions erased while their metadata and public parts stay, rotation due at the exact instant, and
/// every write committed with its audit record, or neither.
/// </summary>
public abstract class SecretStoreContract : StoreContract
{
    /// <summary>The ciphertext stored for one version, null once erased (the row itself stays).</summary>
    protected abstract Task<string?> StoredCiphertextAsync(string name, int version);

    private static string NewName() => ContractFakers.Name("db");

    private async Task<SealedSecretVersion> AddAsync(SealedSecretVersion version)
    {
        Assert.True(await Stores.Secrets.AddVersionAsync(version, NewRecord("secret.put", "secret:" + version.Name), default));
        return version;
    }

    private async Task<SealedSecretVersion> AddPendingAsync(SealedSecretVersion version)
    {
        Assert.True(await Stores.Secrets.AddPendingVersionAsync(version, NewRecord("secret.rotate", "secret:" + version.Name), default));
        return version;
    }

    [Fact]
    public async Task An_unknown_secret_is_not_found_has_version_zero_and_no_ciphertext()
    {
        var name = NewName();

        Assert.Null(await Stores.Secrets.FindAsync(name, default));
        Assert.Equal(0, await Stores.Secrets.CurrentVersionAsync(name, default));
        Assert.Null(await Stores.Secrets.ReadCiphertextAsync(name, default));
    }

    [Fact]
    public async Task A_first_version_becomes_current_with_its_metadata_and_ciphertext()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1) with { RotateEvery = Duration.FromDays(30) });

        var secret = await Stores.Secrets.FindAsync(v1.Name, default);

        Assert.NotNull(secret);
        Assert.Equal((v1.Name, v1.Type, 1, v1.CreatedAt, v1.CreatedAt, (Duration?)Duration.FromDays(30)), (secret.Name, secret.Type, secret.Version, secret.CreatedAt, secret.UpdatedAt, secret.RotateEvery));
        Assert.Equal(v1.FieldNames, secret.FieldNames);
        Assert.Equal([new RootSecretVersion(1, v1.CreatedAt, v1.CreatedBy)], secret.Versions);
        Assert.Equal(1, await Stores.Secrets.CurrentVersionAsync(v1.Name, default));
        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
    }

    [Fact]
    public async Task Adding_a_version_commits_its_audit_record_with_it()
    {
        var record = NewRecord("secret.put");

        Assert.True(await Stores.Secrets.AddVersionAsync(NewSecretVersion(NewName(), 1), record, default));

        await AssertAuditedOnceAsync(0, record);
    }

    [Fact]
    public async Task A_new_version_becomes_current_and_the_older_one_keeps_its_metadata_but_loses_its_value()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        Clock.Advance(Duration.FromHours(1));
        var v2 = await AddAsync(NewSecretVersion(v1.Name, 2) with { CreatedBy = "token:rotator" });

        var secret = await Stores.Secrets.FindAsync(v1.Name, default);

        Assert.Equal((2, v1.CreatedAt, v2.CreatedAt), (secret!.Version, secret.CreatedAt, secret.UpdatedAt));
        Assert.Equal([new RootSecretVersion(1, v1.CreatedAt, v1.CreatedBy), new RootSecretVersion(2, v2.CreatedAt, v2.CreatedBy)], secret.Versions);
        Assert.Equal((2, v2.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Null(await StoredCiphertextAsync(v1.Name, 1));
        Assert.Equal(v2.Ciphertext, await StoredCiphertextAsync(v1.Name, 2));
    }

    [Fact]
    public async Task A_version_number_already_stored_is_refused_without_an_audit_record()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));

        Assert.False(await Stores.Secrets.AddVersionAsync(NewSecretVersion(v1.Name, 1), NewRecord("secret.put"), default));

        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task A_version_that_skips_a_number_is_refused_without_an_audit_record()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));

        Assert.False(await Stores.Secrets.AddVersionAsync(NewSecretVersion(v1.Name, 3), NewRecord("secret.put"), default));

        Assert.Equal(1, await Stores.Secrets.CurrentVersionAsync(v1.Name, default));
        Assert.Equal([1], (await Stores.Secrets.FindAsync(v1.Name, default))!.Versions.Select(v => v.Version));
        Assert.Equal(v1.Ciphertext, await StoredCiphertextAsync(v1.Name, 1));
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task A_version_whose_number_a_pending_rotation_holds_is_refused_and_changes_nothing()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        var pending = await AddPendingAsync(NewSecretVersion(v1.Name, 2));

        Assert.False(await Stores.Secrets.AddVersionAsync(NewSecretVersion(v1.Name, 2), NewRecord("secret.put"), default));

        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Equal([new PendingSecretVersion(v1.Name, v1.Type, 2, pending.Ciphertext)], await Stores.Secrets.PendingVersionsAsync(default));
        await AssertNothingAuditedAsync(2);
    }

    [Fact]
    public async Task Racing_writers_of_the_first_version_of_a_secret_leave_exactly_one_winner()
    {
        var name = NewName();
        var versions = Enumerable.Range(0, 12).Select(_ => NewSecretVersion(name, 1)).ToList();

        var outcomes = await RaceAsync(versions.Count, i => Stores.Secrets.AddVersionAsync(versions[i], NewRecord("secret.put"), default));

        var winner = versions[Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i])];
        Assert.Equal((1, winner.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(name, default));
        Assert.Single((await Stores.Secrets.FindAsync(name, default))!.Versions);
        Assert.Single(await TrailAsync());
    }

    [Fact]
    public async Task Racing_writers_of_the_next_version_number_leave_exactly_one_winner()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        var versions = Enumerable.Range(0, 12).Select(_ => NewSecretVersion(v1.Name, 2)).ToList();

        var outcomes = await RaceAsync(versions.Count, i => Stores.Secrets.AddVersionAsync(versions[i], NewRecord("secret.put"), default));

        var winner = versions[Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i])];
        Assert.Equal((2, winner.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Equal([1, 2], (await Stores.Secrets.FindAsync(v1.Name, default))!.Versions.Select(v => v.Version));
        Assert.Equal(2, (await TrailAsync()).Count);
    }

    [Fact]
    public async Task A_pending_version_is_listed_but_not_current_until_promoted()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        var record = NewRecord("secret.rotate");

        Assert.True(await Stores.Secrets.AddPendingVersionAsync(NewSecretVersion(v1.Name, 2) with { Ciphertext = "pending-ciphertext" }, record, default));

        Assert.Equal(1, await Stores.Secrets.CurrentVersionAsync(v1.Name, default));
        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Equal(1, (await Stores.Secrets.FindAsync(v1.Name, default))!.Version);
        Assert.Equal([new PendingSecretVersion(v1.Name, v1.Type, 2, "pending-ciphertext")], await Stores.Secrets.PendingVersionsAsync(default));
        await AssertAuditedOnceAsync(1, record);
    }

    [Fact]
    public async Task A_pending_version_that_is_not_the_next_number_is_refused_without_an_audit_record()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));

        Assert.False(await Stores.Secrets.AddPendingVersionAsync(NewSecretVersion(v1.Name, 3), NewRecord("secret.rotate"), default));
        Assert.False(await Stores.Secrets.AddPendingVersionAsync(NewSecretVersion(v1.Name, 1), NewRecord("secret.rotate"), default));

        Assert.Empty(await Stores.Secrets.PendingVersionsAsync(default));
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task A_second_pending_version_of_the_same_number_is_refused_without_an_audit_record()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        var first = await AddPendingAsync(NewSecretVersion(v1.Name, 2));

        Assert.False(await Stores.Secrets.AddPendingVersionAsync(NewSecretVersion(v1.Name, 2), NewRecord("secret.rotate"), default));

        Assert.Equal(first.Ciphertext, Assert.Single(await Stores.Secrets.PendingVersionsAsync(default)).Ciphertext);
        await AssertNothingAuditedAsync(2);
    }


    /// <summary>Two nodes rotating one secret at once: each round a fresh secret, so every round is a race of its own.</summary>
    [Fact]
    public async Task Two_racing_rotations_to_the_same_next_version_leave_exactly_one_pending_winner()
    {
        for (var round = 0; round < 10; round++)
        {
            var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
            var rotations = new[] { NewSecretVersion(v1.Name, 2), NewSecretVersion(v1.Name, 2) };
            var before = (await TrailAsync()).Count;

            var outcomes = await RaceAsync(2, i => Stores.Secrets.AddPendingVersionAsync(rotations[i], NewRecord("secret.rotate", "secret:" + v1.Name), default));

            var winner = rotations[Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i])];
            Assert.Equal(winner.Ciphertext, Assert.Single(await Stores.Secrets.PendingVersionsAsync(default), p => p.Name == v1.Name).Ciphertext);
            Assert.Equal(1, await Stores.Secrets.CurrentVersionAsync(v1.Name, default));
            Assert.Equal(before + 1, (await TrailAsync()).Count);
        }
    }
    [Fact]
    public async Task A_pending_version_of_an_unknown_secret_is_refused_without_an_audit_record()
    {
        var name = NewName();

        Assert.False(await Stores.Secrets.AddPendingVersionAsync(NewSecretVersion(name, 1), NewRecord("secret.rotate"), default));

        Assert.Null(await Stores.Secrets.FindAsync(name, default));
        Assert.Empty(await Stores.Secrets.PendingVersionsAsync(default));
        await AssertNothingAuditedAsync(0);
    }

    [Fact]
    public async Task Promoting_a_pending_version_makes_it_current_erases_older_values_and_restarts_the_rotation_clock()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1) with { RotateEvery = Duration.FromDays(30) });
        Clock.Advance(Duration.FromDays(30));
        var pending = await AddPendingAsync(NewSecretVersion(v1.Name, 2));
        Clock.Advance(Duration.FromMinutes(2));
        var record = NewRecord("secret.rotate");

        Assert.True(await Stores.Secrets.PromoteAsync(v1.Name, 2, Now, record, default));

        var secret = await Stores.Secrets.FindAsync(v1.Name, default);
        Assert.Equal((2, v1.CreatedAt, Now, (Duration?)Duration.FromDays(30)), (secret!.Version, secret.CreatedAt, secret.UpdatedAt, secret.RotateEvery));
        Assert.Equal((2, pending.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Null(await StoredCiphertextAsync(v1.Name, 1));
        Assert.Empty(await Stores.Secrets.PendingVersionsAsync(default));
        Assert.Empty(await Stores.Secrets.DueForRotationAsync(Now, default));
        await AssertAuditedOnceAsync(2, record);
    }

    [Fact]
    public async Task Promoting_a_version_that_is_not_pending_next_is_refused_without_an_audit_record()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));

        Assert.False(await Stores.Secrets.PromoteAsync(v1.Name, 2, Now, NewRecord("secret.rotate"), default));
        Assert.False(await Stores.Secrets.PromoteAsync(v1.Name, 1, Now, NewRecord("secret.rotate"), default));
        Assert.False(await Stores.Secrets.PromoteAsync(NewName(), 1, Now, NewRecord("secret.rotate"), default));

        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task Promoting_the_same_pending_version_twice_succeeds_once()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        await AddPendingAsync(NewSecretVersion(v1.Name, 2));
        await Stores.Secrets.PromoteAsync(v1.Name, 2, Now, NewRecord("secret.rotate"), default);

        Assert.False(await Stores.Secrets.PromoteAsync(v1.Name, 2, Now, NewRecord("secret.rotate"), default));

        await AssertNothingAuditedAsync(3);
    }

    [Fact]
    public async Task Dropping_a_pending_version_forgets_it_keeps_the_current_one_and_is_audited()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        await AddPendingAsync(NewSecretVersion(v1.Name, 2));
        var record = NewRecord("secret.rotate");

        await Stores.Secrets.DropPendingAsync(v1.Name, 2, record, default);

        Assert.Empty(await Stores.Secrets.PendingVersionsAsync(default));
        Assert.Equal([1], (await Stores.Secrets.FindAsync(v1.Name, default))!.Versions.Select(v => v.Version));
        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.False(await Stores.Secrets.PromoteAsync(v1.Name, 2, Now, NewRecord("secret.rotate"), default));
        await AssertAuditedOnceAsync(2, record);
    }

    [Fact]
    public async Task Dropping_a_version_that_is_current_or_of_an_unknown_secret_changes_nothing()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));

        await Stores.Secrets.DropPendingAsync(v1.Name, 1, NewRecord("secret.rotate"), default);
        await Stores.Secrets.DropPendingAsync(NewName(), 1, NewRecord("secret.rotate"), default);

        Assert.Equal((1, v1.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Equal([1], (await Stores.Secrets.FindAsync(v1.Name, default))!.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Public_parts_outlive_the_values_and_list_newest_first_with_when_each_was_replaced()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1, "es256-signing-key") with { PublicPart = "jwk-1" });
        Clock.Advance(Duration.FromHours(1));
        var v2 = await AddAsync(NewSecretVersion(v1.Name, 2, "es256-signing-key") with { PublicPart = "jwk-2" });
        Clock.Advance(Duration.FromHours(1));
        var other = await AddAsync(NewSecretVersion(NewName(), 1, "es256-signing-key") with { PublicPart = "jwk-other" });
        await AddAsync(NewSecretVersion(NewName(), 1, "postgresql-admin") with { PublicPart = "not-a-signing-key" });
        await AddAsync(NewSecretVersion(NewName(), 1, "es256-signing-key"));

        var parts = await Stores.Secrets.PublicPartsAsync("es256-signing-key", default);

        Assert.Equal(
            [
                new PublicSecretPart(other.Name, 1, "jwk-other", other.CreatedAt, null),
                new PublicSecretPart(v1.Name, 2, "jwk-2", v2.CreatedAt, null),
                new PublicSecretPart(v1.Name, 1, "jwk-1", v1.CreatedAt, v2.CreatedAt),
            ],
            parts);
        Assert.Null(await StoredCiphertextAsync(v1.Name, 1));
    }

    [Fact]
    public async Task A_secret_is_due_for_rotation_from_the_exact_instant_its_period_has_passed()
    {
        var due = await AddAsync(NewSecretVersion(NewName(), 1) with { RotateEvery = Duration.FromHours(1) });
        await AddAsync(NewSecretVersion(NewName(), 1));

        Assert.Empty(await Stores.Secrets.DueForRotationAsync(due.CreatedAt + Duration.FromHours(1) - Duration.FromMilliseconds(1), default));
        Assert.Equal([due.Name], await Stores.Secrets.DueForRotationAsync(due.CreatedAt + Duration.FromHours(1), default));
        Assert.Equal([due.Name], await Stores.Secrets.DueForRotationAsync(due.CreatedAt + Duration.FromDays(3), default));
    }

    [Fact]
    public async Task A_new_version_without_a_rotation_period_stops_the_rotation()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1) with { RotateEvery = Duration.FromHours(1) });
        await AddAsync(NewSecretVersion(v1.Name, 2));

        Assert.Null((await Stores.Secrets.FindAsync(v1.Name, default))!.RotateEvery);
        Assert.Empty(await Stores.Secrets.DueForRotationAsync(Now + Duration.FromDays(3), default));
    }

    [Fact]
    public async Task Listing_returns_every_secret_with_its_versions_by_name()
    {
        var a = await AddAsync(NewSecretVersion(NewName(), 1));
        await AddAsync(NewSecretVersion(a.Name, 2));
        var b = await AddAsync(NewSecretVersion(NewName(), 1, "generic"));

        var listed = await Stores.Secrets.ListAsync(default);

        Assert.Equal(
            new[] { (a.Name, 2, 2), (b.Name, 1, 1) }.OrderBy(s => s.Item1, StringComparer.Ordinal),
            listed.Select(s => (s.Name, s.Version, s.Versions.Count)));
    }

    [Fact]
    public async Task Deleting_a_secret_removes_every_version_with_its_audit_record()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        await AddPendingAsync(NewSecretVersion(v1.Name, 2));
        var record = NewRecord("secret.delete");

        Assert.True(await Stores.Secrets.DeleteAsync(v1.Name, record, default));

        Assert.Null(await Stores.Secrets.FindAsync(v1.Name, default));
        Assert.Null(await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Empty(await Stores.Secrets.PendingVersionsAsync(default));
        Assert.Empty(await Stores.Secrets.ListAsync(default));
        await AssertAuditedOnceAsync(2, record);
    }

    [Fact]
    public async Task Deleting_an_unknown_secret_returns_false_without_an_audit_record()
    {
        await AddAsync(NewSecretVersion(NewName(), 1));

        Assert.False(await Stores.Secrets.DeleteAsync(NewName(), NewRecord("secret.delete"), default));

        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task A_deleted_secret_starts_again_from_version_one()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1));
        await AddAsync(NewSecretVersion(v1.Name, 2));
        await Stores.Secrets.DeleteAsync(v1.Name, NewRecord("secret.delete"), default);

        var again = await AddAsync(NewSecretVersion(v1.Name, 1));

        Assert.Equal((1, again.Ciphertext), await Stores.Secrets.ReadCiphertextAsync(v1.Name, default));
        Assert.Equal([1], (await Stores.Secrets.FindAsync(v1.Name, default))!.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Instants_with_sub_millisecond_ticks_are_kept_at_the_millisecond_they_fall_in()
    {
        var v1 = await AddAsync(NewSecretVersion(NewName(), 1) with { CreatedAt = Now.PlusTicks(7_777) });
        await AddPendingAsync(NewSecretVersion(v1.Name, 2) with { CreatedAt = Now.PlusTicks(18_888) });
        var promotedAt = Now.PlusTicks(29_999);
        await Stores.Secrets.PromoteAsync(v1.Name, 2, promotedAt, NewRecord("secret.rotate"), default);

        var secret = await Stores.Secrets.FindAsync(v1.Name, default);

        Assert.Equal((Stored(v1.CreatedAt), Stored(promotedAt)), (secret!.CreatedAt, secret.UpdatedAt));
        Assert.Equal([Stored(v1.CreatedAt), Now.PlusTicks(10_000)], secret.Versions.Select(v => v.CreatedAt));
    }
}
