using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="ILeaseStore"/> must do: write leases ahead as <c>issuing</c> or commit them
/// <c>active</c>, keep one lease per idempotency key however many requests race for it, never let a
/// revoked lease come back, end leases in single statements (a run, the expired, the issuing rows a
/// crash left), follow their downstream clean-up, keep instants at the stored precision, and commit
/// every write with its audit record, or neither.
/// </summary>
public abstract class LeaseStoreContract : StoreContract
{
    private const string Reason = "contract_reason";

    private async Task<Lease> InsertAsync(Lease lease, string? credential = null)
    {
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(lease, credential, NewRecord("lease.issue", "lease:" + lease.Id), default));
        return lease;
    }

    private Task<Lease> InsertActiveAsync(Lease lease) => InsertAsync(lease, ContractFakers.Ciphertext());

    private async Task<Lease> FindAsync(Lease lease) =>
        await Stores.Leases.FindAsync(lease.Id, default) ?? throw new InvalidOperationException("The lease is gone.");

    private Task<bool> RevokeAsync(Lease lease, string reason = Reason) =>
        Stores.Leases.RevokeAsync(lease.Id, reason, Now, NewRecord("lease.revoke", "lease:" + lease.Id), default);

    // The bulk statements audit what Core makes of their count: the store passes the count and adds no word.
    private Task<int> RevokeRunAsync(string issuer, string runId, AuditRecord record) =>
        Stores.Leases.RevokeRunAsync(issuer, runId, Reason, Now, n => Counted(record, n), default);

    private Task<int> SweepExpiredAsync(int batch = 100) =>
        Stores.Leases.SweepExpiredAsync(Now, batch, Reason, n => Counted(SweepRecord, n), default);

    private Task<int> ReclaimIssuingOfNodeAsync(LeaseWriter current, AuditRecord record) =>
        Stores.Leases.ReclaimIssuingOfNodeAsync(current.Node, current.Incarnation, Reason, Now, n => Counted(record, n), default);

    private Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, AuditRecord record) =>
        Stores.Leases.ReclaimStuckIssuingAsync(issuedBefore, Reason, Now, n => Counted(record, n), default);

    private AuditRecord SweepRecord => NewRecord("lease.expire", "leases");

    /// <summary>The record with the count in its target, so an assertion on the target proves which count the store passed.</summary>
    private static AuditRecord Counted(AuditRecord record, int count) => record with { Target = $"{record.Target} count:{count}" };

    private Task CompleteAsync(params RevocationOutcome[] outcomes) => Stores.Leases.CompleteRevocationsAsync(outcomes, [], default);

    private async Task<string> StateOfAsync(Lease lease) => (await FindAsync(lease)).State;

    private async Task<IReadOnlyList<string>> DueIdsAsync(Instant at, int batch = 100) =>
        (await Stores.Leases.DueRevocationsAsync(at, batch, default)).Select(d => d.Lease.Id).ToList();

    // --- insert

    [Fact]
    public async Task A_lease_written_ahead_is_stored_as_issuing_without_a_credential_with_its_audit_record()
    {
        var lease = NewLease(LeaseState.Issuing) with { Writer = LeaseWriter.StartOn("node-a") };
        var record = NewRecord("lease.issue");

        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(lease, null, record, default));

        Assert.Equal(AsRead(lease), await Stores.Leases.FindAsync(lease.Id, default));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(lease.Id, default));
        await AssertAuditedOnceAsync(0, record);
    }

    [Fact]
    public async Task A_lease_committed_once_is_stored_as_active_with_its_credential()
    {
        var lease = NewLease() with { IdempotencyKey = "key-1", BreakGlass = true, Renewable = false, JobId = null };

        await InsertAsync(lease, "sealed-credential");

        Assert.Equal(AsRead(lease), await Stores.Leases.FindAsync(lease.Id, default));
        Assert.Equal("sealed-credential", await Stores.Leases.ReadCredentialAsync(lease.Id, default));
    }

    [Fact]
    public async Task An_unknown_lease_is_not_found_and_has_no_credential()
    {
        await InsertActiveAsync(NewLease());

        Assert.Null(await Stores.Leases.FindAsync(LeaseId.New(Now), default));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(LeaseId.New(Now), default));
    }

    [Fact]
    public async Task A_lease_whose_idempotency_key_the_identity_already_used_is_refused_without_an_audit_record()
    {
        var first = await InsertActiveAsync(NewLease() with { IdempotencyKey = "key-1" });
        var second = NewLease() with { Issuer = first.Issuer, Subject = first.Subject, IdempotencyKey = "key-1" };

        Assert.Equal(LeaseInsert.KeyTaken, await Stores.Leases.InsertAsync(second, ContractFakers.Ciphertext(), NewRecord("lease.issue"), default));

        Assert.Null(await Stores.Leases.FindAsync(second.Id, default));
        Assert.Equal(first.Id, (await Stores.Leases.FindByIdempotencyKeyAsync(first.Issuer, first.Subject, "key-1", default))?.Id);
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task An_idempotency_key_belongs_to_one_identity_only()
    {
        var first = await InsertActiveAsync(NewLease() with { IdempotencyKey = "key-1" });
        var otherSubject = await InsertActiveAsync(NewLease() with { Issuer = first.Issuer, IdempotencyKey = "key-1" });
        var otherIssuer = await InsertActiveAsync(NewLease() with { Issuer = "gitlab", Subject = first.Subject, IdempotencyKey = "key-1" });

        Assert.Equal(first.Id, (await Stores.Leases.FindByIdempotencyKeyAsync(first.Issuer, first.Subject, "key-1", default))?.Id);
        Assert.Equal(otherSubject.Id, (await Stores.Leases.FindByIdempotencyKeyAsync(first.Issuer, otherSubject.Subject, "key-1", default))?.Id);
        Assert.Equal(otherIssuer.Id, (await Stores.Leases.FindByIdempotencyKeyAsync("gitlab", first.Subject, "key-1", default))?.Id);
        Assert.Null(await Stores.Leases.FindByIdempotencyKeyAsync(first.Issuer, first.Subject, "key-2", default));
    }

    [Fact]
    public async Task Leases_without_an_idempotency_key_never_conflict()
    {
        var first = await InsertActiveAsync(NewLease());

        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(NewLease() with { Issuer = first.Issuer, Subject = first.Subject }, null, NewRecord("lease.issue"), default));
    }

    [Fact]
    public async Task Racing_inserts_with_one_idempotency_key_leave_exactly_one_lease_and_one_audit_record()
    {
        var template = NewLease(LeaseState.Issuing) with { IdempotencyKey = "key-race" };
        var leases = Enumerable.Range(0, 40).Select(_ => template with { Id = LeaseId.New(Now) }).ToList();

        var outcomes = await RaceAsync(leases.Count, i => Stores.Leases.InsertAsync(leases[i], null, NewRecord("lease.issue", "lease:" + leases[i].Id), default));

        var winner = leases[Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i] == LeaseInsert.Inserted)];
        Assert.Equal(winner.Id, (await Stores.Leases.FindByIdempotencyKeyAsync(template.Issuer, template.Subject, "key-race", default))?.Id);
        foreach (var loser in leases.Where(l => l.Id != winner.Id))
        {
            Assert.Null(await Stores.Leases.FindAsync(loser.Id, default));
        }

        Assert.Equal(["lease:" + winner.Id], (await TrailAsync()).Select(e => e.Target));
    }

    [Fact]
    public async Task A_lease_whose_id_is_taken_is_refused_and_leaves_the_first_one_as_it_was()
    {
        var first = await InsertActiveAsync(NewLease());

        var refused = await Record.ExceptionAsync(() => Stores.Leases.InsertAsync(NewLease() with { Id = first.Id }, null, NewRecord("lease.issue"), default));

        Assert.NotNull(refused);
        Assert.Equal(AsRead(first), await Stores.Leases.FindAsync(first.Id, default));
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task A_write_that_fails_among_many_at_once_fails_alone_and_its_neighbours_commit_with_an_intact_audit_trail()
    {
        var taken = await InsertActiveAsync(NewLease());
        var leases = Enumerable.Range(0, 40).Select(_ => NewLease()).ToList();
        const int Bad = 20;
        leases[Bad] = NewLease() with { Id = taken.Id };
        var credentials = leases.Select(_ => ContractFakers.Ciphertext()).ToList();

        var failures = await RaceAsync(leases.Count, i => Record.ExceptionAsync(() =>
            Stores.Leases.InsertAsync(leases[i], credentials[i], NewRecord("lease.issue", "lease:" + leases[i].Id + ":" + i), default)));

        Assert.NotNull(failures[Bad]);
        Assert.All(failures.Where((_, i) => i != Bad), f => Assert.Null(f));
        foreach (var i in Enumerable.Range(0, leases.Count).Where(i => i != Bad))
        {
            Assert.Equal(AsRead(leases[i]), await Stores.Leases.FindAsync(leases[i].Id, default));
            Assert.Equal(credentials[i], await Stores.Leases.ReadCredentialAsync(leases[i].Id, default));
        }

        Assert.Equal(AsRead(taken), await Stores.Leases.FindAsync(taken.Id, default));
        var expected = Enumerable.Range(0, leases.Count).Where(i => i != Bad).Select(i => "lease:" + leases[i].Id + ":" + i).Prepend("lease:" + taken.Id).Order();
        Assert.Equal(expected, (await TrailAsync()).Select(e => e.Target).Order());
        Assert.True((await new AuditVerifier(Stores.Audit, Stores.Chain).VerifyAsync(default)).Intact);

        // The chain goes on from the head those commits left, not from anything the failed write linked.
        var next = NewLease();
        await InsertActiveAsync(next);
        Assert.Equal("lease:" + next.Id, (await TrailAsync())[^1].Target);
        Assert.True((await new AuditVerifier(Stores.Audit, Stores.Chain).VerifyAsync(default)).Intact);
    }

    // --- activate, and a revocation racing an issue

    [Fact]
    public async Task Activating_an_issuing_lease_makes_it_active_with_its_credential()
    {
        var lease = await InsertAsync(NewLease(LeaseState.Issuing));

        Assert.True(await Stores.Leases.ActivateAsync(lease.Id, "sealed-credential", default));

        Assert.Equal(AsRead(lease) with { State = LeaseState.Active }, await Stores.Leases.FindAsync(lease.Id, default));
        Assert.Equal("sealed-credential", await Stores.Leases.ReadCredentialAsync(lease.Id, default));
    }

    [Fact]
    public async Task Activating_a_lease_that_is_not_issuing_returns_false_and_keeps_its_credential()
    {
        var lease = await InsertAsync(NewLease(), "first-credential");

        Assert.False(await Stores.Leases.ActivateAsync(lease.Id, "second-credential", default));
        Assert.False(await Stores.Leases.ActivateAsync(LeaseId.New(Now), "second-credential", default));

        Assert.Equal("first-credential", await Stores.Leases.ReadCredentialAsync(lease.Id, default));
    }

    [Fact]
    public async Task A_lease_revoked_while_issuing_stays_revoked_when_its_activation_arrives()
    {
        var lease = await InsertAsync(NewLease(LeaseState.Issuing));
        Assert.True(await RevokeAsync(lease));

        Assert.False(await Stores.Leases.ActivateAsync(lease.Id, "late-credential", default));

        Assert.Equal(LeaseState.Revoking, await StateOfAsync(lease));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(lease.Id, default));
    }

    [Fact]
    public async Task A_revocation_racing_an_activation_always_ends_the_lease_without_a_readable_credential()
    {
        var leases = new List<Lease>();
        for (var i = 0; i < 20; i++)
        {
            leases.Add(await InsertAsync(NewLease(LeaseState.Issuing)));
        }

        await RaceAsync(leases.Count * 2, async i => i % 2 == 0
            ? await Stores.Leases.ActivateAsync(leases[i / 2].Id, "raced-credential", default)
            : await RevokeAsync(leases[i / 2]));

        foreach (var lease in leases)
        {
            var found = await FindAsync(lease);
            Assert.Equal((LeaseState.Revoking, Reason), (found.State, found.RevokeReason));
            Assert.Null(await Stores.Leases.ReadCredentialAsync(lease.Id, default));
        }
    }

    // --- reusable lookup

    [Fact]
    public async Task The_reusable_lease_is_the_newest_active_one_of_the_binding_issued_at_or_after_the_instant()
    {
        var older = await InsertActiveAsync(NewLease());
        Clock.Advance(Duration.FromSeconds(5));
        var newer = await InsertActiveAsync(older with { Id = LeaseId.New(Now), Handle = "jti-newer", IssuedAt = Now });
        var binding = NewLease() with { Issuer = older.Issuer, Subject = older.Subject, RunId = older.RunId, JobId = older.JobId };

        Assert.Equal(newer.Id, (await Stores.Leases.FindReusableAsync(binding, older.IssuedAt, default))?.Id);
        Assert.Equal(newer.Id, (await Stores.Leases.FindReusableAsync(binding, newer.IssuedAt, default))?.Id);
        Assert.Null(await Stores.Leases.FindReusableAsync(binding, newer.IssuedAt + Duration.FromMilliseconds(1), default));
    }

    [Theory]
    [InlineData("subject")]
    [InlineData("issuer")]
    [InlineData("run")]
    [InlineData("job")]
    [InlineData("no-job")]
    [InlineData("step")]
    [InlineData("purpose")]
    [InlineData("role")]
    public async Task A_lease_of_another_binding_is_not_reusable(string differing)
    {
        var lease = await InsertActiveAsync(NewLease());
        var binding = differing switch
        {
            "subject" => lease with { Subject = ContractFakers.Subject() },
            "issuer" => lease with { Issuer = "gitlab" },
            "run" => lease with { RunId = ContractFakers.RunId() },
            "job" => lease with { JobId = "8" },
            "no-job" => lease with { JobId = null },
            "step" => lease with { Step = "migrate" },
            "purpose" => lease with { Purpose = "schema" },
            "role" => lease with { Role = "app-db" },
            _ => throw new ArgumentOutOfRangeException(nameof(differing)),
        };

        Assert.Null(await Stores.Leases.FindReusableAsync(binding, lease.IssuedAt, default));
        Assert.Equal(lease.Id, (await Stores.Leases.FindReusableAsync(lease, lease.IssuedAt, default))?.Id);
    }

    [Fact]
    public async Task A_lease_of_a_job_less_binding_is_reusable_by_a_job_less_request()
    {
        var lease = await InsertActiveAsync(NewLease() with { JobId = null });

        Assert.Equal(lease.Id, (await Stores.Leases.FindReusableAsync(lease with { Id = LeaseId.New(Now) }, lease.IssuedAt, default))?.Id);
    }

    [Fact]
    public async Task Only_an_active_lease_is_reusable()
    {
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing));
        var revoked = await InsertActiveAsync(NewLease());
        await RevokeAsync(revoked);

        Assert.Null(await Stores.Leases.FindReusableAsync(issuing, issuing.IssuedAt, default));
        Assert.Null(await Stores.Leases.FindReusableAsync(revoked, revoked.IssuedAt, default));
    }

    // --- renew

    [Fact]
    public async Task Renewing_an_active_lease_moves_its_expiry_and_replaces_its_credential_with_its_audit_record()
    {
        var lease = await InsertActiveAsync(NewLease());
        var record = NewRecord("lease.renew");
        var newExpiry = lease.ExpiresAt + Duration.FromMinutes(5);

        Assert.True(await Stores.Leases.RenewAsync(lease.Id, newExpiry, Now, "renewed-credential", record, default));

        Assert.Equal(AsRead(lease) with { ExpiresAt = newExpiry }, await Stores.Leases.FindAsync(lease.Id, default));
        Assert.Equal("renewed-credential", await Stores.Leases.ReadCredentialAsync(lease.Id, default));
        await AssertAuditedOnceAsync(1, record);
    }

    [Fact]
    public async Task Renewing_without_a_credential_keeps_the_stored_one()
    {
        var lease = await InsertAsync(NewLease(), "first-credential");

        Assert.True(await Stores.Leases.RenewAsync(lease.Id, lease.ExpiresAt + Duration.FromMinutes(5), Now, null, NewRecord("lease.renew"), default));

        Assert.Equal("first-credential", await Stores.Leases.ReadCredentialAsync(lease.Id, default));
    }

    [Fact]
    public async Task Renewing_is_allowed_up_to_the_last_millisecond_before_expiry_and_refused_from_expiry_on()
    {
        var lease = await InsertActiveAsync(NewLease());
        var newExpiry = lease.ExpiresAt + Duration.FromMinutes(5);

        Assert.False(await Stores.Leases.RenewAsync(lease.Id, newExpiry, lease.ExpiresAt, null, NewRecord("lease.renew"), default));
        await AssertNothingAuditedAsync(1);
        Assert.True(await Stores.Leases.RenewAsync(lease.Id, newExpiry, lease.ExpiresAt - Duration.FromMilliseconds(1), null, NewRecord("lease.renew"), default));
        Assert.Equal(newExpiry, (await FindAsync(lease)).ExpiresAt);
    }

    [Fact]
    public async Task Renewing_a_break_glass_lease_is_refused_without_an_audit_record()
    {
        var lease = await InsertActiveAsync(NewLease() with { BreakGlass = true });

        Assert.False(await Stores.Leases.RenewAsync(lease.Id, lease.ExpiresAt + Duration.FromMinutes(5), Now, null, NewRecord("lease.renew"), default));

        Assert.Equal(lease.ExpiresAt, (await FindAsync(lease)).ExpiresAt);
        await AssertNothingAuditedAsync(1);
    }

    [Fact]
    public async Task Renewing_a_lease_that_is_not_active_is_refused_without_an_audit_record()
    {
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing));
        var revoked = await InsertActiveAsync(NewLease());
        await RevokeAsync(revoked);

        Assert.False(await Stores.Leases.RenewAsync(issuing.Id, issuing.ExpiresAt + Duration.FromMinutes(5), Now, "c", NewRecord("lease.renew"), default));
        Assert.False(await Stores.Leases.RenewAsync(revoked.Id, revoked.ExpiresAt + Duration.FromMinutes(5), Now, "c", NewRecord("lease.renew"), default));
        Assert.False(await Stores.Leases.RenewAsync(LeaseId.New(Now), Now + Duration.FromMinutes(5), Now, "c", NewRecord("lease.renew"), default));

        Assert.Equal((issuing.ExpiresAt, revoked.ExpiresAt), ((await FindAsync(issuing)).ExpiresAt, (await FindAsync(revoked)).ExpiresAt));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(revoked.Id, default));
        await AssertNothingAuditedAsync(3);
    }

    // --- revoke

    [Fact]
    public async Task Revoking_a_live_lease_records_the_reason_and_instant_erases_its_credential_and_is_audited()
    {
        var lease = await InsertActiveAsync(NewLease());
        Clock.Advance(Duration.FromSeconds(30));
        var record = NewRecord("lease.revoke");

        Assert.True(await Stores.Leases.RevokeAsync(lease.Id, "workload_done", Now, record, default));

        Assert.Equal(AsRead(lease) with { State = LeaseState.Revoking, RevokeReason = "workload_done", RevokedAt = Now }, await Stores.Leases.FindAsync(lease.Id, default));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(lease.Id, default));
        await AssertAuditedOnceAsync(1, record);
    }

    [Fact]
    public async Task Revoking_a_lease_that_is_no_longer_live_returns_false_and_keeps_the_first_reason()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease, "first_reason");
        Clock.Advance(Duration.FromSeconds(30));

        Assert.False(await RevokeAsync(lease, "second_reason"));
        Assert.False(await RevokeAsync(NewLease()));

        var found = await FindAsync(lease);
        Assert.Equal(("first_reason", (Instant?)(Now - Duration.FromSeconds(30))), (found.RevokeReason, found.RevokedAt));
        await AssertNothingAuditedAsync(2);
    }

    // --- revoke a run

    [Fact]
    public async Task Revoking_a_run_ends_every_live_lease_of_that_run_and_no_other_in_one_audited_statement()
    {
        var first = await InsertActiveAsync(NewLease());
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing) with { RunId = first.RunId, Subject = first.Subject });
        var ended = await InsertActiveAsync(NewLease() with { RunId = first.RunId });
        await RevokeAsync(ended, "ended_before");
        var otherRun = await InsertActiveAsync(NewLease());
        var otherIssuer = await InsertActiveAsync(NewLease() with { Issuer = "gitlab", RunId = first.RunId });
        Clock.Advance(Duration.FromSeconds(10));
        var before = (await TrailAsync()).Count;
        var record = NewRecord("lease.revoke_run");

        Assert.Equal(2, await RevokeRunAsync(first.Issuer, first.RunId, record));

        foreach (var lease in new[] { first, issuing })
        {
            var found = await FindAsync(lease);
            Assert.Equal((LeaseState.Revoking, Reason, (Instant?)Now), (found.State, found.RevokeReason, found.RevokedAt));
        }

        Assert.Null(await Stores.Leases.ReadCredentialAsync(first.Id, default));
        Assert.Equal("ended_before", (await FindAsync(ended)).RevokeReason);
        Assert.Equal((LeaseState.Active, LeaseState.Active), (await StateOfAsync(otherRun), await StateOfAsync(otherIssuer)));
        await AssertAuditedOnceAsync(before, Counted(record, 2));
    }

    [Fact]
    public async Task Revoking_a_run_without_live_leases_ends_nothing_and_is_still_audited_with_a_count_of_zero()
    {
        var other = await InsertActiveAsync(NewLease());
        var record = NewRecord("lease.revoke_run");

        Assert.Equal(0, await RevokeRunAsync(other.Issuer, ContractFakers.RunId(), record));

        Assert.Equal(LeaseState.Active, await StateOfAsync(other));
        await AssertAuditedOnceAsync(1, Counted(record, 0));
    }

    // --- sweep

    [Fact]
    public async Task Sweeping_ends_active_leases_from_the_exact_instant_they_expire()
    {
        var expiring = await InsertActiveAsync(NewLease(ttl: Duration.FromMinutes(1)));
        var later = await InsertActiveAsync(NewLease(ttl: Duration.FromMinutes(1) + Duration.FromMilliseconds(1)));
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing, ttl: Duration.FromSeconds(1)));
        Clock.Advance(Duration.FromMinutes(1));

        Assert.Equal(1, await SweepExpiredAsync());

        var swept = await FindAsync(expiring);
        Assert.Equal((LeaseState.Revoking, (Instant?)Now), (swept.State, swept.RevokedAt));
        Assert.NotNull(swept.RevokeReason);
        Assert.Equal((LeaseState.Active, LeaseState.Issuing), (await StateOfAsync(later), await StateOfAsync(issuing)));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(expiring.Id, default));
    }

    [Fact]
    public async Task Sweeping_works_in_batches_until_nothing_expired_is_left()
    {
        for (var i = 0; i < 7; i++)
        {
            await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(i + 1)));
        }

        Clock.Advance(Duration.FromMinutes(1));

        var moved = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            moved.Add(await SweepExpiredAsync(3));
        }

        Assert.Equal([3, 3, 1, 0], moved);
        Assert.Equal(7, (await Stores.Leases.CountByStateAsync(default))[LeaseState.Revoking]);
    }

    [Fact]
    public async Task A_sweep_that_ends_leases_is_audited_once_and_one_that_ends_none_writes_nothing()
    {
        await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(1)));
        await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(2)));
        Clock.Advance(Duration.FromMinutes(1));

        await SweepExpiredAsync();
        await AssertAuditedOnceAsync(2, Counted(SweepRecord, 2));
        await SweepExpiredAsync();
        await AssertNothingAuditedAsync(3);
    }

    [Fact]
    public async Task Two_sweeps_racing_end_every_expired_lease_exactly_once_each_audited_with_its_count()
    {
        var expired = new List<Lease>();
        for (var i = 0; i < 30; i++)
        {
            expired.Add(await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(1))));
        }

        var unexpired = await InsertActiveAsync(NewLease(ttl: Duration.FromHours(1)));
        Clock.Advance(Duration.FromMinutes(1));
        var before = (await TrailAsync()).Count;

        // Each node sweeps in small batches until it finds nothing left, as the expiry job does.
        var counts = await RaceAsync(2, async _ =>
        {
            var moved = new List<int>();
            do
            {
                moved.Add(await SweepExpiredAsync(batch: 4));
            }
            while (moved[^1] > 0);

            return moved;
        });

        var ended = counts.SelectMany(c => c).Where(n => n > 0).ToList();
        Assert.Equal(expired.Count, ended.Sum());
        foreach (var lease in expired)
        {
            Assert.Equal(LeaseState.Revoking, await StateOfAsync(lease));
        }

        Assert.Equal(LeaseState.Active, await StateOfAsync(unexpired));
        Assert.Equal(
            ended.Select(n => Counted(SweepRecord, n).Target).Order(StringComparer.Ordinal),
            (await TrailAsync()).Skip(before).Select(e => e.Target).Order(StringComparer.Ordinal));
    }

    // --- reclaim issuing rows

    [Fact]
    public async Task Reclaiming_a_node_takes_the_issuing_leases_of_its_other_incarnations_only()
    {
        var current = LeaseWriter.StartOn("node-a");
        var earlier = await InsertAsync(NewLease(LeaseState.Issuing) with { Writer = LeaseWriter.StartOn("node-a") });
        var own = await InsertAsync(NewLease(LeaseState.Issuing) with { Writer = current });
        var otherNode = await InsertAsync(NewLease(LeaseState.Issuing) with { Writer = LeaseWriter.StartOn("node-b") });
        var noWriter = await InsertAsync(NewLease(LeaseState.Issuing));
        var activated = await InsertAsync(NewLease(LeaseState.Issuing) with { Writer = LeaseWriter.StartOn("node-a") });
        await Stores.Leases.ActivateAsync(activated.Id, "c", default);
        var record = NewRecord("lease.revoke");

        Assert.Equal(1, await ReclaimIssuingOfNodeAsync(current, record));

        var reclaimed = await FindAsync(earlier);
        Assert.Equal((LeaseState.Revoking, Reason, (Instant?)Now), (reclaimed.State, reclaimed.RevokeReason, reclaimed.RevokedAt));
        Assert.Equal(
            [LeaseState.Issuing, LeaseState.Issuing, LeaseState.Issuing, LeaseState.Active],
            [await StateOfAsync(own), await StateOfAsync(otherNode), await StateOfAsync(noWriter), await StateOfAsync(activated)]);
        await AssertAuditedOnceAsync(5, Counted(record, 1));
    }

    [Fact]
    public async Task Reclaiming_stuck_issuing_leases_takes_those_issued_before_the_instant_whoever_wrote_them()
    {
        var stuck = await InsertAsync(NewLease(LeaseState.Issuing) with { Writer = LeaseWriter.StartOn("node-b") });
        var oldActive = await InsertActiveAsync(NewLease());
        Clock.Advance(Duration.FromMinutes(1));
        var atTheInstant = await InsertAsync(NewLease(LeaseState.Issuing));
        var record = NewRecord("lease.revoke");

        Assert.Equal(1, await ReclaimStuckIssuingAsync(atTheInstant.IssuedAt, record));

        Assert.Equal((LeaseState.Revoking, Reason), (await StateOfAsync(stuck), (await FindAsync(stuck)).RevokeReason));
        Assert.Equal((LeaseState.Issuing, LeaseState.Active), (await StateOfAsync(atTheInstant), await StateOfAsync(oldActive)));
        await AssertAuditedOnceAsync(3, Counted(record, 1));
    }

    [Fact]
    public async Task Reclaiming_with_nothing_to_reclaim_returns_zero_without_an_audit_record()
    {
        await InsertAsync(NewLease(LeaseState.Issuing) with { Writer = LeaseWriter.StartOn("node-b") });

        Assert.Equal(0, await ReclaimIssuingOfNodeAsync(LeaseWriter.StartOn("node-a"), NewRecord("lease.revoke")));
        Assert.Equal(0, await ReclaimStuckIssuingAsync(Now, NewRecord("lease.revoke")));

        await AssertNothingAuditedAsync(1);
    }

    // --- downstream clean-up

    [Fact]
    public async Task An_ended_lease_is_due_for_clean_up_at_once_with_no_attempts()
    {
        var lease = await InsertActiveAsync(NewLease());
        await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);

        var due = Assert.Single(await Stores.Leases.DueRevocationsAsync(Now, 10, default));

        Assert.Equal((AsRead(lease) with { State = LeaseState.Revoking, RevokeReason = Reason, RevokedAt = Now }, 0), (due.Lease, due.Attempts));
        Assert.Empty(await DueIdsAsync(Now - Duration.FromMilliseconds(1)));
    }

    [Fact]
    public async Task Due_clean_ups_come_longest_due_first_up_to_the_batch()
    {
        var leases = new List<Lease>();
        for (var i = 0; i < 3; i++)
        {
            var lease = await InsertActiveAsync(NewLease());
            await RevokeAsync(lease);
            leases.Add(lease);
            Clock.Advance(Duration.FromSeconds(1));
        }

        Assert.Equal(leases.Take(2).Select(l => l.Id), await DueIdsAsync(Now, batch: 2));
    }

    [Fact]
    public async Task A_lease_handed_out_for_clean_up_is_due_again_only_when_its_claim_lapses_without_an_outcome()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);

        Assert.Equal([lease.Id], await DueIdsAsync(Now));

        Assert.Empty(await DueIdsAsync(Now));
        Assert.Empty(await DueIdsAsync(Now + LeaseRevocation.ClaimedFor - Duration.FromMilliseconds(1)));
        Assert.Equal([lease.Id], await DueIdsAsync(Now + LeaseRevocation.ClaimedFor));
    }

    [Fact]
    public async Task Two_clean_up_passes_at_once_are_handed_disjoint_leases_and_every_due_lease_once()
    {
        var due = new List<Lease>();
        for (var i = 0; i < 30; i++)
        {
            var lease = await InsertActiveAsync(NewLease());
            await RevokeAsync(lease);
            due.Add(lease);
        }

        var passes = await RaceAsync(2, _ => DueIdsAsync(Now, batch: 20));

        Assert.Empty(passes[0].Intersect(passes[1]));
        Assert.Equal(
            due.Select(l => l.Id).Order(StringComparer.Ordinal),
            passes.SelectMany(p => p).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_completed_clean_up_marks_the_lease_revoked_and_no_longer_due()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);

        await CompleteAsync(new RevocationOutcome(lease.Id, true, 0, null, false, Now));

        var found = await FindAsync(lease);
        Assert.Equal((LeaseState.Revoked, Reason, (Instant?)Now), (found.State, found.RevokeReason, found.RevokedAt));
        Assert.Empty(await DueIdsAsync(Now + Duration.FromDays(1)));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(lease.Id, default));
    }

    [Fact]
    public async Task A_failed_attempt_is_due_again_at_its_next_attempt_with_its_count()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);
        var next = Now + Duration.FromSeconds(4);

        await CompleteAsync(new RevocationOutcome(lease.Id, false, 3, next, false, Now));

        Assert.Equal(LeaseState.Revoking, await StateOfAsync(lease));
        Assert.Empty(await DueIdsAsync(next - Duration.FromMilliseconds(1)));
        var due = Assert.Single(await Stores.Leases.DueRevocationsAsync(next, 10, default));
        Assert.Equal((lease.Id, 3), (due.Lease.Id, due.Attempts));
    }

    [Fact]
    public async Task A_clean_up_that_keeps_failing_is_marked_revoke_failed_and_still_retried()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);
        var next = Now + Duration.FromMinutes(5);

        await CompleteAsync(new RevocationOutcome(lease.Id, false, 6, next, true, Now));

        Assert.Equal(LeaseState.RevokeFailed, await StateOfAsync(lease));
        var due = Assert.Single(await Stores.Leases.DueRevocationsAsync(next, 10, default));
        Assert.Equal(6, due.Attempts);
        await CompleteAsync(new RevocationOutcome(lease.Id, true, 6, null, false, next));
        Assert.Equal(LeaseState.Revoked, await StateOfAsync(lease));
        Assert.Empty(await DueIdsAsync(next + Duration.FromDays(1)));
    }

    [Fact]
    public async Task A_late_failure_does_not_bring_back_a_lease_already_revoked()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);
        await CompleteAsync(new RevocationOutcome(lease.Id, true, 0, null, false, Now));

        await CompleteAsync(new RevocationOutcome(lease.Id, false, 6, Now + Duration.FromSeconds(1), true, Now));

        Assert.Equal(LeaseState.Revoked, await StateOfAsync(lease));
        Assert.Empty(await DueIdsAsync(Now + Duration.FromDays(1)));
    }

    [Fact]
    public async Task A_clean_up_outcome_never_ends_a_lease_that_is_still_live()
    {
        var lease = await InsertAsync(NewLease(), "live-credential");

        await CompleteAsync(new RevocationOutcome(lease.Id, true, 0, null, false, Now));

        Assert.Equal(LeaseState.Active, await StateOfAsync(lease));
    }

    [Fact]
    public async Task A_pass_of_many_outcomes_records_each_its_own_way_in_one_call()
    {
        var leases = new List<Lease>();
        for (var i = 0; i < 30; i++)
        {
            var lease = await InsertActiveAsync(NewLease());
            await RevokeAsync(lease);
            leases.Add(lease);
        }

        var next = Now + Duration.FromSeconds(30);
        var outcomes = leases.Select((l, i) => i % 3 == 0
            ? new RevocationOutcome(l.Id, false, i, next + Duration.FromSeconds(i), i % 2 == 0, Now)
            : new RevocationOutcome(l.Id, true, 0, null, false, Now)).ToArray();

        await CompleteAsync(outcomes);

        for (var i = 0; i < leases.Count; i++)
        {
            var expected = i % 3 != 0 ? LeaseState.Revoked : i % 2 == 0 ? LeaseState.RevokeFailed : LeaseState.Revoking;
            Assert.Equal(expected, await StateOfAsync(leases[i]));
            Assert.Null(await Stores.Leases.ReadCredentialAsync(leases[i].Id, default));
        }

        Assert.Empty(await DueIdsAsync(next - Duration.FromMilliseconds(1)));
        var due = await Stores.Leases.DueRevocationsAsync(next + Duration.FromMinutes(1), 100, default);
        Assert.Equal(
            leases.Where((_, i) => i % 3 == 0).Select((l, n) => (l.Id, n * 3)).OrderBy(d => d.Id, StringComparer.Ordinal),
            due.Select(d => (d.Lease.Id, d.Attempts)).OrderBy(d => d.Id, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_alerts_of_a_clean_up_pass_are_audited_with_it()
    {
        var lease = await InsertActiveAsync(NewLease());
        await RevokeAsync(lease);
        var alert = NewRecord("lease.revoke_failed", "lease:" + lease.Id);

        await Stores.Leases.CompleteRevocationsAsync([new RevocationOutcome(lease.Id, false, 6, Now + Duration.FromMinutes(5), true, Now)], [alert], default);

        await AssertAuditedOnceAsync(2, alert);
    }

    // --- counts and handles

    [Fact]
    public async Task The_oldest_unswept_expiry_is_the_earliest_active_lease_past_its_expiry_and_null_when_none()
    {
        Assert.Null(await Stores.Leases.OldestUnsweptExpiryAsync(Now, default));
        var older = await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(10)));
        await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(20)));
        var revokedEarliest = await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(5)));
        await RevokeAsync(revokedEarliest);
        await InsertActiveAsync(NewLease(ttl: Duration.FromMinutes(10)));
        Assert.Null(await Stores.Leases.OldestUnsweptExpiryAsync(Now, default));

        Clock.Advance(Duration.FromMinutes(1));

        Assert.Equal(older.ExpiresAt, await Stores.Leases.OldestUnsweptExpiryAsync(Clock.GetCurrentInstant(), default));
    }

    [Fact]
    public async Task Counting_by_state_counts_each_stored_state_and_leaves_out_the_absent_ones()
    {
        await InsertAsync(NewLease(LeaseState.Issuing));
        await InsertActiveAsync(NewLease());
        await InsertActiveAsync(NewLease(ttl: Duration.FromSeconds(1)));
        var revoking = await InsertActiveAsync(NewLease());
        await RevokeAsync(revoking);
        var revoked = await InsertActiveAsync(NewLease());
        await RevokeAsync(revoked);
        await CompleteAsync(new RevocationOutcome(revoked.Id, true, 0, null, false, Now));
        Clock.Advance(Duration.FromMinutes(1));

        var counts = await Stores.Leases.CountByStateAsync(default);

        Assert.Equal(
            new Dictionary<string, long> { [LeaseState.Issuing] = 1, [LeaseState.Active] = 2, [LeaseState.Revoking] = 1, [LeaseState.Revoked] = 1 },
            counts.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public async Task Live_handles_are_those_of_the_providers_leases_not_yet_revoked()
    {
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing));
        var active = await InsertActiveAsync(NewLease());
        var revoking = await InsertActiveAsync(NewLease());
        await RevokeAsync(revoking);
        var failed = await InsertActiveAsync(NewLease());
        await RevokeAsync(failed);
        await CompleteAsync(new RevocationOutcome(failed.Id, false, 6, Now, true, Now));
        var revoked = await InsertActiveAsync(NewLease());
        await RevokeAsync(revoked);
        await CompleteAsync(new RevocationOutcome(revoked.Id, true, 0, null, false, Now));
        var otherProvider = await InsertActiveAsync(NewLease() with { Provider = "postgres" });

        var live = await Stores.Leases.LiveHandlesAsync(
            "jwt", [issuing.Handle, active.Handle, revoking.Handle, failed.Handle, revoked.Handle, otherProvider.Handle, "jti-unknown"], default);

        Assert.Equal(new[] { issuing.Handle, active.Handle, revoking.Handle, failed.Handle }.Order(StringComparer.Ordinal), live.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Live_handles_are_found_among_more_candidates_than_one_statement_can_bind()
    {
        var leases = Enumerable.Range(0, 700).Select(_ => NewLease()).ToList();
        // Filled a few at a time: every insert appends to the one audit chain, and 700 at once would
        // wait on it longer than a connection pool's timeout on a busy machine.
        await Parallel.ForEachAsync(leases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (lease, ct) =>
            await Stores.Leases.InsertAsync(lease, null, NewRecord("lease.issue", "lease:" + lease.Id), ct));
        var candidates = Enumerable.Range(0, 300).Select(i => $"jti-gone-{i}").Concat(leases.Select(l => l.Handle)).ToList();

        var live = await Stores.Leases.LiveHandlesAsync("jwt", candidates, default);

        Assert.Equal(leases.Select(l => l.Handle).Order(StringComparer.Ordinal), live.Order(StringComparer.Ordinal));
    }

    // --- time and credentials

    [Fact]
    public async Task Instants_with_sub_millisecond_ticks_are_kept_at_the_millisecond_they_fall_in()
    {
        var lease = NewLease() with { IssuedAt = Now.PlusTicks(1_111), ExpiresAt = Now.Plus(Duration.FromMinutes(10)).PlusTicks(2_222), MaxExpiresAt = Now.Plus(Duration.FromHours(1)).PlusTicks(9_999) };
        await InsertActiveAsync(lease);
        var revokedAt = Now.PlusTicks(45_678);
        await Stores.Leases.RevokeAsync(lease.Id, Reason, revokedAt, NewRecord("lease.revoke"), default);

        var found = await FindAsync(lease);

        Assert.Equal(
            (Stored(lease.IssuedAt), Stored(lease.ExpiresAt), Stored(lease.MaxExpiresAt), (Instant?)Stored(revokedAt)),
            (found.IssuedAt, found.ExpiresAt, found.MaxExpiresAt, found.RevokedAt));
        Assert.Equal(lease.Id, Assert.Single(await Stores.Leases.DueRevocationsAsync(Stored(revokedAt), 10, default)).Lease.Id);
    }

    [Fact]
    public async Task Expiry_is_compared_at_the_stored_precision()
    {
        var renewed = await InsertActiveAsync(NewLease(ttl: Duration.FromMinutes(1)) with { ExpiresAt = Now + Duration.FromMinutes(1) + Duration.FromTicks(3_000) });
        var swept = await InsertActiveAsync(NewLease(ttl: Duration.FromMinutes(1)) with { ExpiresAt = Now + Duration.FromMinutes(1) + Duration.FromTicks(3_000) });
        var withinTheMillisecond = Now + Duration.FromMinutes(1) + Duration.FromTicks(1_000);

        Assert.False(await Stores.Leases.RenewAsync(renewed.Id, Now + Duration.FromMinutes(5), withinTheMillisecond, null, NewRecord("lease.renew"), default));
        Assert.Equal(2, await Stores.Leases.SweepExpiredAsync(withinTheMillisecond, 100, Reason, n => Counted(SweepRecord, n), default));
        Assert.Equal(LeaseState.Revoking, await StateOfAsync(swept));
    }

    [Fact]
    public async Task The_reuse_window_and_the_stuck_issuing_cut_off_are_compared_at_the_stored_precision()
    {
        var active = await InsertActiveAsync(NewLease());
        var issuing = await InsertAsync(NewLease(LeaseState.Issuing));
        var withinTheMillisecond = Now.PlusTicks(5_000);

        Assert.Equal(active.Id, (await Stores.Leases.FindReusableAsync(active, withinTheMillisecond, default))?.Id);
        Assert.Equal(0, await ReclaimStuckIssuingAsync(withinTheMillisecond, NewRecord("lease.revoke")));
        Assert.Equal(LeaseState.Issuing, await StateOfAsync(issuing));
    }

    [Fact]
    public async Task The_credential_is_read_only_while_the_lease_is_active()
    {
        var written = await InsertAsync(NewLease(LeaseState.Issuing), "written-ahead");
        var swept = await InsertAsync(NewLease(ttl: Duration.FromSeconds(1)), "swept-credential");
        Clock.Advance(Duration.FromMinutes(1));
        await SweepExpiredAsync();
        var completed = await InsertAsync(NewLease(), "completed-credential");
        await RevokeAsync(completed);
        await CompleteAsync(new RevocationOutcome(completed.Id, true, 0, null, false, Now));

        Assert.Null(await Stores.Leases.ReadCredentialAsync(written.Id, default));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(swept.Id, default));
        Assert.Null(await Stores.Leases.ReadCredentialAsync(completed.Id, default));
    }
}
