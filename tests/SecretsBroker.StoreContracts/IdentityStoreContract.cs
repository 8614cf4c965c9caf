using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every <see cref="IIdentityStore"/> does: identities seen and paged with their live leases at an
/// instant, a revocation of a subject or a claim selector ending that issuer's live leases in one
/// transaction with exactly the record Core made, block rules, the clean-up's progress and unblocking.
/// </summary>
public abstract class IdentityStoreContract : LeaseRevocationContract
{
    [Fact]
    public async Task A_first_sighting_stores_the_claims_and_its_instant_at_the_stored_precision_as_first_and_last_seen()
    {
        var subject = ContractFakers.Subject();
        var claims = Claims(("repository", "acme/app"), ("ref", "refs/heads/main"));
        var belowAMillisecond = Now + Duration.FromTicks(7_499);

        await SeeAsync(subject, claims, belowAMillisecond);

        var seen = Assert.Single(await AllSeenAsync(Now));
        Assert.Equal((Issuer, subject, Stored(belowAMillisecond), Stored(belowAMillisecond)), (seen.Issuer, seen.Subject, seen.FirstSeen, seen.LastSeen));
        Assert.Equal(ClaimSet.Canonical(claims), ClaimSet.Canonical(seen.Claims));
    }

    [Fact]
    public async Task Seeing_an_identity_again_replaces_its_claims_and_moves_last_seen_but_not_first_seen()
    {
        var subject = ContractFakers.Subject();
        var later = Claims(("repository", "acme/app"), ("ref", "refs/heads/release"));
        await SeeAsync(subject, Claims(("repository", "acme/app"), ("ref", "refs/heads/main")), Now);

        await SeeAsync(subject, later, Now + Duration.FromMinutes(5));

        var seen = Assert.Single(await AllSeenAsync(Now));
        Assert.Equal((Start, Start + Duration.FromMinutes(5)), (seen.FirstSeen, seen.LastSeen));
        Assert.Equal(ClaimSet.Canonical(later), ClaimSet.Canonical(seen.Claims));
    }

    [Fact]
    public async Task A_sighting_older_than_the_last_one_never_moves_last_seen_back()
    {
        var subject = ContractFakers.Subject();
        var claims = Claims(("repository", "acme/app"));
        await SeeAsync(subject, claims, Now + Duration.FromMinutes(5));

        await SeeAsync(subject, claims, Now);

        var seen = Assert.Single(await AllSeenAsync(Now));
        Assert.Equal((Start + Duration.FromMinutes(5), Start + Duration.FromMinutes(5)), (seen.FirstSeen, seen.LastSeen));
    }

    [Fact]
    public async Task Identities_page_in_the_order_first_seen_each_page_ending_exactly_at_its_limit()
    {
        var subjects = Enumerable.Range(0, 5).Select(_ => ContractFakers.Subject()).ToList();
        for (var i = 0; i < subjects.Count; i++)
        {
            await SeeAsync(subjects[i], Claims(("repository", "acme/app")), Now + Duration.FromSeconds(i));
        }

        await SeeAsync(subjects[0], Claims(("repository", "acme/moved")), Now + Duration.FromMinutes(1));

        var first = await Stores.Identities.PageAsync(0, 2, Now, default);
        var second = await Stores.Identities.PageAsync(first[^1].Seq, 2, Now, default);
        var third = await Stores.Identities.PageAsync(second[^1].Seq, 2, Now, default);
        var past = await Stores.Identities.PageAsync(third[^1].Seq, 2, Now, default);

        Assert.Equal([.. subjects[..2]], first.Select(i => i.Subject));
        Assert.Equal([.. subjects[2..4]], second.Select(i => i.Subject));
        Assert.Equal([subjects[4]], third.Select(i => i.Subject));
        Assert.Empty(past);
        var seqs = first.Concat(second).Concat(third).Select(i => i.Seq).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
    }

    [Fact]
    public async Task The_live_lease_count_holds_issuing_leases_and_active_ones_before_their_expiry_only()
    {
        var subject = ContractFakers.Subject();
        await SeeAsync(subject, Claims(("repository", "acme/app")), Now);
        await SeeAsync(subject, Claims(("project", "acme/app")), Now, issuer: "gitlab");
        await IssueAsync(subject, LeaseState.Issuing, ttl: Duration.FromMinutes(1));
        var shortLived = await IssueAsync(subject, ttl: Duration.FromMinutes(1));
        await IssueAsync(subject, ttl: Duration.FromMinutes(10));
        await EndByCallerAsync(await IssueAsync(subject));
        var cleanedUp = await IssueAsync(subject);
        await EndByCallerAsync(cleanedUp);
        await Stores.Leases.CompleteRevocationsAsync([new RevocationOutcome(cleanedUp.Id, true, 1, null, false, Now)], [], default);
        await IssueAsync(subject, issuer: "gitlab");
        await IssueAsync(ContractFakers.Subject());

        Assert.Equal(3, await LiveLeasesAsync(subject, Now));
        Assert.Equal(3, await LiveLeasesAsync(subject, shortLived.ExpiresAt - Duration.FromMilliseconds(1)));
        Assert.Equal(2, await LiveLeasesAsync(subject, shortLived.ExpiresAt));
        Assert.Equal(1, await LiveLeasesAsync(subject, Now + Duration.FromMinutes(10)));
        Assert.Equal(1, await LiveLeasesAsync(subject, Now, issuer: "gitlab"));
    }

    [Fact]
    public async Task Revoking_a_subject_ends_every_live_lease_of_it_from_that_issuer_and_no_other_lease()
    {
        var subject = ContractFakers.Subject();
        var issuing = await IssueAsync(subject, LeaseState.Issuing);
        var active = await IssueAsync(subject);
        var pastExpiry = await IssueAsync(subject, ttl: Duration.FromMinutes(1));
        var endedBefore = await IssueAsync(subject);
        await EndByCallerAsync(endedBefore);
        var otherIssuer = await IssueAsync(subject, issuer: "gitlab");
        var otherSubject = await IssueAsync(ContractFakers.Subject());
        Clock.Advance(Duration.FromMinutes(2));
        var revocation = Revocation(SubjectTarget(subject));

        var ended = await RevokeAsync(revocation);

        Assert.Equal(3, ended);
        await AssertEndedByAsync(revocation, issuing, active, pastExpiry);
        var before = await FindAsync(endedBefore);
        Assert.Equal((LeaseState.Revoking, RevokeReasons.RevokedByCaller, (Instant?)Start), (before.State, before.RevokeReason, before.RevokedAt));
        await AssertUntouchedAsync(otherIssuer, otherSubject);
        Assert.Equal(3, (await Stores.Identities.ProgressAsync(revocation.Id, default))!.Total);
    }

    [Fact]
    public async Task A_revocation_commits_exactly_the_record_made_of_the_number_of_leases_it_ended()
    {
        var subject = ContractFakers.Subject();
        await IssueAsync(subject);
        await IssueAsync(subject, LeaseState.Issuing);
        await IssueAsync(subject);
        await EndByCallerAsync(await IssueAsync(subject));
        var revocation = Revocation(SubjectTarget(subject));
        var record = RecordOf(revocation);
        var counts = new List<int>();
        var before = (await TrailAsync()).Count;

        var ended = await Stores.Identities.RevokeAsync(revocation, n => { counts.Add(n); return record.WithLeaseCount(n); }, default);

        Assert.Equal(3, ended);
        Assert.Equal([3], counts);
        AuditTrailAssert.Appended(await TrailAsync(), before, record.WithLeaseCount(3));
    }

    [Fact]
    public async Task Revoking_an_identity_without_live_leases_is_still_recorded_with_a_count_of_zero()
    {
        var subject = ContractFakers.Subject();
        await EndByCallerAsync(await IssueAsync(subject));
        var revocation = Revocation(SubjectTarget(subject));
        var record = RecordOf(revocation);
        var before = (await TrailAsync()).Count;

        var ended = await Stores.Identities.RevokeAsync(revocation, record.WithLeaseCount, default);

        Assert.Equal(0, ended);
        AuditTrailAssert.Appended(await TrailAsync(), before, record.WithLeaseCount(0));
        var progress = await Stores.Identities.ProgressAsync(revocation.Id, default);
        Assert.Equal((0L, 0L, 0L, 0L), (progress!.Total, progress.Done, progress.Failed, progress.Pending));
    }

    [Fact]
    public async Task Revoking_by_claim_selector_ends_the_live_leases_issued_under_that_claim_by_that_issuer_only()
    {
        var app = Claims(("repository", "acme/app"), ("ref", "refs/heads/main"));
        var matching = await IssueUnderAsync(ContractFakers.Subject(), app);
        var otherRef = await IssueUnderAsync(ContractFakers.Subject(), Claims(("repository", "acme/app"), ("ref", "refs/heads/dev")), LeaseState.Issuing);
        var endedBefore = await IssueUnderAsync(ContractFakers.Subject(), app);
        await EndByCallerAsync(endedBefore);
        var otherRepository = await IssueUnderAsync(matching.Subject, Claims(("repository", "acme/other"), ("ref", "refs/heads/main")));
        var otherIssuer = await IssueUnderAsync(ContractFakers.Subject(), app, issuer: "gitlab");
        var withoutClaims = await IssueAsync(matching.Subject, claimSet: null);
        var revocation = Revocation(ClaimTarget("repository", "acme/app"), leaseReason: RevokeReasons.IdentityBlocked);

        var ended = await RevokeAsync(revocation);

        Assert.Equal(2, ended);
        await AssertEndedByAsync(revocation, matching, otherRef);
        Assert.Equal(RevokeReasons.RevokedByCaller, (await FindAsync(endedBefore)).RevokeReason);
        await AssertUntouchedAsync(otherRepository, otherIssuer, withoutClaims);
    }

    [Fact]
    public async Task A_revocation_that_blocks_stores_the_rule_for_its_target()
    {
        var revocation = Revocation(SubjectTarget(ContractFakers.Subject()), block: true);

        await RevokeAsync(revocation);

        var rule = Assert.Single(await Stores.Identities.BlockRulesAsync(default));
        Assert.Equal(revocation.Block! with { At = Stored(revocation.Block.At) }, rule);
        Assert.True((await Stores.Identities.ProgressAsync(revocation.Id, default))!.Blocked);
    }

    [Fact]
    public async Task A_revocation_that_does_not_block_stores_no_rule()
    {
        var revocation = Revocation(SubjectTarget(ContractFakers.Subject()));

        await RevokeAsync(revocation);

        Assert.Empty(await Stores.Identities.BlockRulesAsync(default));
        Assert.False((await Stores.Identities.ProgressAsync(revocation.Id, default))!.Blocked);
    }

    [Fact]
    public async Task Blocking_a_target_again_replaces_the_rules_reason_revocation_and_instant()
    {
        var target = ClaimTarget("repository", "acme/app");
        await RevokeAsync(Revocation(target, block: true, reason: "token stolen"));
        Clock.Advance(Duration.FromMinutes(1));
        var again = Revocation(target, block: true, reason: "still compromised");

        await RevokeAsync(again);

        var rule = Assert.Single(await Stores.Identities.BlockRulesAsync(default));
        Assert.Equal(new BlockRule(target, "still compromised", again.Id, Start + Duration.FromMinutes(1)), rule);
    }

    [Fact]
    public async Task A_revocation_without_a_block_leaves_the_rule_of_its_target_as_it_was()
    {
        var target = SubjectTarget(ContractFakers.Subject());
        var blocked = Revocation(target, block: true);
        await RevokeAsync(blocked);
        Clock.Advance(Duration.FromMinutes(1));

        await RevokeAsync(Revocation(target, reason: "once more, without a block"));

        Assert.Equal(blocked.Block, Assert.Single(await Stores.Identities.BlockRulesAsync(default)));
    }

    [Fact]
    public async Task Rules_for_a_subject_for_a_claim_and_for_another_issuer_are_kept_apart()
    {
        var subject = ContractFakers.Subject();
        var revocations = new[] { SubjectTarget(subject), SubjectTarget(subject, "gitlab"), ClaimTarget("sub", subject) }
            .Select(t => Revocation(t, block: true)).ToList();
        foreach (var revocation in revocations)
        {
            await RevokeAsync(revocation);
        }

        var rules = revocations.Select(r => r.Block!).ToList();

        var stored = await Stores.Identities.BlockRulesAsync(default);
        Assert.True(await Stores.Identities.UnblockAsync(rules[2].Target, NewRecord(AuditActions.IdentityUnblock, rules[2].Target.Describe), default));
        var left = await Stores.Identities.BlockRulesAsync(default);

        Assert.Equal(rules.OrderBy(r => r.Target.RuleKey), stored.OrderBy(r => r.Target.RuleKey));
        Assert.Equal(rules[..2].OrderBy(r => r.Target.RuleKey), left.OrderBy(r => r.Target.RuleKey));
    }

    [Fact]
    public async Task Progress_counts_the_revocations_leases_by_state_as_their_clean_up_proceeds()
    {
        var subject = ContractFakers.Subject();
        var leases = new List<Lease>();
        for (var i = 0; i < 4; i++)
        {
            leases.Add(await IssueAsync(subject));
        }

        await EndByCallerAsync(await IssueAsync(subject));
        var revocation = Revocation(SubjectTarget(subject), block: true, reason: "runner compromised");
        await RevokeAsync(revocation);
        var started = await Stores.Identities.ProgressAsync(revocation.Id, default);
        Clock.Advance(Duration.FromSeconds(5));

        await Stores.Leases.CompleteRevocationsAsync(
        [
            new RevocationOutcome(leases[0].Id, true, 1, null, false, Now),
            new RevocationOutcome(leases[1].Id, false, 6, Now + Duration.FromMinutes(1), true, Now),
            new RevocationOutcome(leases[2].Id, false, 1, Now + Duration.FromSeconds(30), false, Now),
        ], [], default);
        var midway = await Stores.Identities.ProgressAsync(revocation.Id, default);
        await Stores.Leases.CompleteRevocationsAsync([new RevocationOutcome(leases[1].Id, true, 7, null, false, Now)], [], default);
        var later = await Stores.Identities.ProgressAsync(revocation.Id, default);

        Assert.Equal(new RevocationProgress(revocation.Id, revocation.Target, "runner compromised", true, Start, 4, 0, 0, 4), started);
        Assert.Equal((4L, 1L, 1L, 2L), (midway!.Total, midway.Done, midway.Failed, midway.Pending));
        Assert.Equal((4L, 2L, 0L, 2L), (later!.Total, later.Done, later.Failed, later.Pending));
    }

    [Fact]
    public async Task The_progress_of_an_unknown_revocation_is_null() =>
        Assert.Null(await Stores.Identities.ProgressAsync("rev_" + Guid.NewGuid().ToString("N")[..24], default));

    [Fact]
    public async Task Unblocking_removes_the_rule_once_with_its_record_and_then_finds_nothing_to_remove()
    {
        var target = SubjectTarget(ContractFakers.Subject());
        await RevokeAsync(Revocation(target, block: true));
        var record = NewRecord(AuditActions.IdentityUnblock, target.Describe) with { Reason = "unblocked" };
        var before = (await TrailAsync()).Count;

        var first = await Stores.Identities.UnblockAsync(target, record, default);
        var second = await Stores.Identities.UnblockAsync(target, NewRecord(AuditActions.IdentityUnblock, target.Describe), default);

        Assert.True(first);
        Assert.False(second);
        AuditTrailAssert.Appended(await TrailAsync(), before, record);
        Assert.Empty(await Stores.Identities.BlockRulesAsync(default));
    }

    [Fact]
    public async Task Unblocking_a_target_that_was_revoked_without_a_block_finds_no_rule_and_records_nothing()
    {
        var target = SubjectTarget(ContractFakers.Subject());
        await RevokeAsync(Revocation(target));
        var before = (await TrailAsync()).Count;

        Assert.False(await Stores.Identities.UnblockAsync(target, NewRecord(AuditActions.IdentityUnblock, target.Describe), default));

        await AssertNothingAuditedAsync(before);
    }

    /// <summary>
    /// What the interface promises is one transaction: the revocation ends every lease committed before
    /// it, and a lease committed after it is live. Refusing that later lease is not the store's part but
    /// the block rule's, which <see cref="IdentityGate"/> puts in force before the revocation runs.
    /// </summary>
    [Fact]
    public async Task A_lease_inserted_while_its_identity_is_revoked_is_ended_by_the_revocation_or_live_after_it_and_never_lost()
    {
        for (var round = 0; round < 20; round++)
        {
            var lease = NewLease() with { Subject = ContractFakers.Subject(), Claims = SomeClaimSet };
            var revocation = Revocation(SubjectTarget(lease.Subject));
            var insert = Task.Run(() => Stores.Leases.InsertAsync(lease, null, NewRecord(AuditActions.LeaseIssue, "lease:" + lease.Id), default));
            var revoke = Task.Run(() => RevokeAsync(revocation));

            await Task.WhenAll(insert, revoke);

            Assert.Equal(LeaseInsert.Inserted, await insert);
            var stored = await FindAsync(lease);
            var progress = await Stores.Identities.ProgressAsync(revocation.Id, default);
            if (await revoke == 1)
            {
                Assert.Equal((LeaseState.Revoking, revocation.LeaseReason, 1L), (stored.State, stored.RevokeReason, progress!.Total));
            }
            else
            {
                Assert.Equal((0, LeaseState.Active, 0L), (await revoke, stored.State, progress!.Total));
            }
        }
    }

    /// <summary>
    /// The check after an issuance: its lease committed, then the committed block rules read. Against a
    /// block being written at the same moment, either the read finds the rule (and the issuer ends the
    /// lease itself) or the revocation ends the lease; a lease left live by both would be lost.
    /// </summary>
    [Fact]
    public async Task A_lease_committed_while_its_identity_is_blocked_is_ended_by_the_block_or_refused_by_the_rules_read_after_it()
    {
        for (var round = 0; round < 20; round++)
        {
            var lease = NewLease() with { Subject = ContractFakers.Subject(), Claims = SomeClaimSet };
            var revocation = Revocation(SubjectTarget(lease.Subject), block: true);
            var issue = Task.Run(async () =>
            {
                await Stores.Leases.InsertAsync(lease, null, NewRecord(AuditActions.LeaseIssue, "lease:" + lease.Id), default);
                return await Stores.Identities.BlockRulesAsync(default);
            });
            var revoke = Task.Run(() => RevokeAsync(revocation));

            await Task.WhenAll(issue, revoke);

            var refused = (await issue).Any(r => r.Target.RuleKey == revocation.Target.RuleKey);
            var ended = (await FindAsync(lease)).State == LeaseState.Revoking;
            Assert.True(refused || ended, $"round {round}: the lease is live, and the rules read after it committed held no block");
        }
    }

    [Fact]
    public async Task A_selector_matches_claim_names_and_values_with_slashes_colons_dots_and_unicode_exactly()
    {
        const string name = "ns:team.group_id-2";
        const string value = "acme/app:prod.eu/Zürich–東京 ✓";
        var subject = ContractFakers.Subject();
        var matching = await IssueUnderAsync(subject, Claims((name, value), ("repository", "acme/app")));
        var longer = await IssueUnderAsync(subject, Claims((name, value + "/x")));
        var prefix = await IssueUnderAsync(subject, Claims((name, value[..^2])));
        var otherCase = await IssueUnderAsync(subject, Claims((name, value.ToUpperInvariant())));
        var shorterName = await IssueUnderAsync(subject, Claims(("ns:team", value)));
        var revocation = Revocation(ClaimTarget(name, value), block: true);

        var ended = await RevokeAsync(revocation);

        Assert.Equal(1, ended);
        await AssertEndedByAsync(revocation, matching);
        await AssertUntouchedAsync(longer, prefix, otherCase, shorterName);
        Assert.Equal(ClaimTarget(name, value), Assert.Single(await Stores.Identities.BlockRulesAsync(default)).Target);
    }

    [Fact]
    public async Task Subjects_and_claims_with_slashes_colons_dots_and_unicode_read_back_exactly()
    {
        var subject = "repo:acme/app:environment:prod.eu/Zürich–東京 ✓ " + Guid.NewGuid().ToString("N")[..8];
        var claims = Claims(("job_workflow_ref", "acme/app/.github/workflows/déploy.yml@refs/heads/main"), ("ns:team.group", "ünïcødé/東京:1.2"));
        await SeeAsync(subject, claims, Now);
        var lease = await IssueUnderAsync(subject, claims);
        var revocation = Revocation(SubjectTarget(subject), block: true);

        var ended = await RevokeAsync(revocation);

        var seen = Assert.Single(await AllSeenAsync(Now));
        Assert.Equal(subject, seen.Subject);
        Assert.Equal(ClaimSet.Canonical(claims), ClaimSet.Canonical(seen.Claims));
        Assert.Equal(1, ended);
        await AssertEndedByAsync(revocation, lease);
        Assert.Equal(SubjectTarget(subject), Assert.Single(await Stores.Identities.BlockRulesAsync(default)).Target);
        Assert.Equal(SubjectTarget(subject), (await Stores.Identities.ProgressAsync(revocation.Id, default))!.Target);
    }

    [Fact]
    public async Task A_lease_that_marks_its_identity_seen_records_it_in_its_own_insert_and_a_lease_that_does_not_records_nothing()
    {
        var marked = ContractFakers.Subject();
        var unmarked = ContractFakers.Subject();
        var claims = Claims(("repository", "acme/app"), ("run_id", "4711"));
        var later = Claims(("repository", "acme/app"), ("run_id", "4712"));
        await SeeAsync(marked, Claims(("repository", "acme/app"), ("run_id", "4710")), Now - Duration.FromMinutes(3));
        var first = NewLease(LeaseState.Active, null) with { Subject = marked, Claims = ClaimSet.Canonical(claims), MarksIdentitySeen = true };
        var second = NewLease(LeaseState.Issuing, null) with
        {
            Subject = marked,
            Claims = ClaimSet.Canonical(later),
            MarksIdentitySeen = true,
            IssuedAt = Now + Duration.FromSeconds(2),
        };
        var plain = NewLease(LeaseState.Active, null) with { Subject = unmarked, Claims = ClaimSet.Canonical(claims) };

        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(first, "sealed-credential", NewRecord(AuditActions.LeaseIssue, "lease:" + first.Id), default));
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(second, null, NewRecord(AuditActions.LeaseIssue, "lease:" + second.Id), default));
        Assert.Equal(LeaseInsert.Inserted, await Stores.Leases.InsertAsync(plain, "sealed-credential", NewRecord(AuditActions.LeaseIssue, "lease:" + plain.Id), default));

        var seen = Assert.Single(await AllSeenAsync(Now));
        Assert.Equal((marked, Start - Duration.FromMinutes(3), Stored(Now + Duration.FromSeconds(2))), (seen.Subject, seen.FirstSeen, seen.LastSeen));
        Assert.Equal(ClaimSet.Canonical(later), ClaimSet.Canonical(seen.Claims));
        Assert.Equal(2, seen.LiveLeases);
        Assert.False((await FindAsync(first)).MarksIdentitySeen);
    }

    private Task SeeAsync(string subject, IReadOnlyDictionary<string, string> claims, Instant at, string issuer = Issuer)
    {
        var who = new WorkloadIdentity(issuer, subject, claims, ContractFakers.RunId(), "7", at + Duration.FromMinutes(5));
        return Stores.Identities.RecordSeenAsync(who, who.ClaimSetJson, at, default);
    }

    private async Task<IReadOnlyList<SeenIdentity>> AllSeenAsync(Instant now) => await Stores.Identities.PageAsync(0, 1000, now, default);

    private async Task<long> LiveLeasesAsync(string subject, Instant now, string issuer = Issuer) =>
        (await AllSeenAsync(now)).Single(i => i.Issuer == issuer && i.Subject == subject).LiveLeases;
}
