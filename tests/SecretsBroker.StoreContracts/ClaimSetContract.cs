using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// The claim sets a lease is issued under (<see cref="Lease.Claims"/>, the token's
/// <see cref="ClaimSet"/>): what a claim selector revocation searches, shared by the leases of one job,
/// and pruned once no live lease points at them, without a live lease ever falling out of reach.
/// </summary>
public abstract class ClaimSetContract : LeaseRevocationContract
{
    [Fact]
    public async Task A_lease_is_found_by_a_selector_on_any_claim_of_the_set_it_was_issued_under()
    {
        var a = await IssueUnderAsync(ContractFakers.Subject(), Claims(("repository", "acme/a"), ("ref", "refs/heads/main"), ("environment", "prod")));
        var b = await IssueUnderAsync(ContractFakers.Subject(), Claims(("repository", "acme/b"), ("ref", "refs/heads/release"), ("environment", "prod")));
        var c = await IssueUnderAsync(ContractFakers.Subject(), Claims(("repository", "acme/c"), ("ref", "refs/heads/release"), ("environment", "staging")));
        var d = await IssueUnderAsync(ContractFakers.Subject(), Claims(("repository", "acme/d"), ("ref", "refs/heads/dev"), ("environment", "dev")));
        var byEnvironment = Revocation(ClaimTarget("environment", "prod"));
        var byRef = Revocation(ClaimTarget("ref", "refs/heads/release"));

        var ended = new[] { await RevokeAsync(byEnvironment), await RevokeAsync(byRef), await RevokeAsync(Revocation(ClaimTarget("repository", "acme/a"))) };

        Assert.Equal([2, 1, 0], ended);
        await AssertEndedByAsync(byEnvironment, a, b);
        await AssertEndedByAsync(byRef, c);
        await AssertUntouchedAsync(d);
        Assert.Equal(1, (await Stores.Identities.ProgressAsync(byRef.Id, default))!.Total);
    }

    [Fact]
    public async Task The_leases_of_one_job_share_one_claim_set_that_one_selector_revocation_ends_and_one_prune_removes()
    {
        var job = Claims(("repository", "acme/app"), ("run_id", ContractFakers.RunId()), ("job", "deploy"));
        var leases = new List<Lease>();
        for (var i = 0; i < 5; i++)
        {
            leases.Add(await IssueUnderAsync(ContractFakers.Subject(), job, i == 0 ? LeaseState.Issuing : LeaseState.Active));
        }

        var revocation = Revocation(ClaimTarget("run_id", job["run_id"]));

        var ended = await RevokeAsync(revocation);
        var pruned = await Stores.Identities.PruneClaimSetsAsync(default);

        Assert.Equal(5, ended);
        await AssertEndedByAsync(revocation, [.. leases]);
        Assert.Equal(1, pruned);
    }

    [Fact]
    public async Task Pruning_removes_only_the_claim_sets_no_live_lease_points_at_and_says_how_many()
    {
        var subject = ContractFakers.Subject();
        await IssueUnderAsync(subject, Claims(("repository", "acme/live")));
        await IssueUnderAsync(subject, Claims(("repository", "acme/issuing")), LeaseState.Issuing);
        var mixed = Claims(("repository", "acme/mixed"));
        await EndByCallerAsync(await IssueUnderAsync(subject, mixed));
        await IssueUnderAsync(subject, mixed);
        await EndByCallerAsync(await IssueUnderAsync(subject, Claims(("repository", "acme/revoking"))));
        var cleanedUp = await IssueUnderAsync(subject, Claims(("repository", "acme/revoked")));
        await EndByCallerAsync(cleanedUp);
        await Stores.Leases.CompleteRevocationsAsync([new RevocationOutcome(cleanedUp.Id, true, 1, null, false, Now)], [], default);
        await IssueAsync(subject, claimSet: null);

        var first = await Stores.Identities.PruneClaimSetsAsync(default);
        var second = await Stores.Identities.PruneClaimSetsAsync(default);

        Assert.Equal(2, first);
        Assert.Equal(0, second);
    }

    [Fact]
    public async Task A_selector_revocation_after_pruning_still_finds_every_live_lease()
    {
        var app = Claims(("repository", "acme/app"), ("ref", "refs/heads/main"));
        var live = await IssueUnderAsync(ContractFakers.Subject(), app);
        var issuing = await IssueUnderAsync(ContractFakers.Subject(), app, LeaseState.Issuing);
        await EndByCallerAsync(await IssueUnderAsync(ContractFakers.Subject(), Claims(("repository", "acme/app"), ("ref", "refs/heads/old"))));
        Assert.Equal(1, await Stores.Identities.PruneClaimSetsAsync(default));
        var revocation = Revocation(ClaimTarget("repository", "acme/app"));

        var ended = await RevokeAsync(revocation);

        Assert.Equal(2, ended);
        await AssertEndedByAsync(revocation, live, issuing);
    }

    [Fact]
    public async Task A_claim_set_pruned_and_then_issued_under_again_is_found_by_a_selector_and_pruned_again()
    {
        var job = Claims(("repository", "acme/app"), ("run_id", ContractFakers.RunId()));
        await EndByCallerAsync(await IssueUnderAsync(ContractFakers.Subject(), job));
        Assert.Equal(1, await Stores.Identities.PruneClaimSetsAsync(default));
        var again = await IssueUnderAsync(ContractFakers.Subject(), job);
        var revocation = Revocation(ClaimTarget("run_id", job["run_id"]));

        var ended = await RevokeAsync(revocation);

        Assert.Equal(1, ended);
        await AssertEndedByAsync(revocation, again);
        Assert.Equal(1, await Stores.Identities.PruneClaimSetsAsync(default));
    }

    /// <summary>
    /// Another node prunes while a lease is issued under a set no live lease points at yet: the prune
    /// either leaves that set or removes it before the lease is written, never from under it.
    /// </summary>
    [Fact]
    public async Task A_lease_issued_under_a_claim_set_while_it_is_pruned_is_still_found_by_a_selector()
    {
        for (var round = 0; round < 20; round++)
        {
            var job = Claims(("repository", "acme/app"), ("run_id", ContractFakers.RunId()));
            await EndByCallerAsync(await IssueUnderAsync(ContractFakers.Subject(), job));
            var lease = NewLease() with { Subject = ContractFakers.Subject(), Claims = ClaimSet.Canonical(job) };
            var insert = Task.Run(() => Stores.Leases.InsertAsync(lease, null, NewRecord(AuditActions.LeaseIssue, "lease:" + lease.Id), default));
            var prune = Task.Run(() => Stores.Identities.PruneClaimSetsAsync(default));
            await Task.WhenAll(insert, prune);
            var revocation = Revocation(ClaimTarget("run_id", job["run_id"]));

            var ended = await RevokeAsync(revocation);

            Assert.Equal(LeaseInsert.Inserted, await insert);
            Assert.Equal(1, ended);
            await AssertEndedByAsync(revocation, lease);
        }
    }

    [Fact]
    public async Task An_active_lease_past_its_expiry_keeps_its_claim_set_and_is_still_ended_by_a_selector()
    {
        var claims = Claims(("repository", "acme/app"));
        var lease = await IssueAsync(ContractFakers.Subject(), ttl: Duration.FromMinutes(1), claimSet: ClaimSet.Canonical(claims));
        Clock.Advance(Duration.FromMinutes(5));
        var revocation = Revocation(ClaimTarget("repository", "acme/app"));

        var pruned = await Stores.Identities.PruneClaimSetsAsync(default);
        var ended = await RevokeAsync(revocation);

        Assert.Equal(0, pruned);
        Assert.Equal(1, ended);
        await AssertEndedByAsync(revocation, lease);
    }

    [Fact]
    public async Task A_lease_issued_without_a_claim_set_is_never_found_by_a_selector_but_is_by_its_subject()
    {
        var lease = await IssueAsync(ContractFakers.Subject(), claimSet: null);

        var bySelector = await RevokeAsync(Revocation(ClaimTarget("repository", "acme/app")));
        var bySubject = Revocation(SubjectTarget(lease.Subject));
        var ended = await RevokeAsync(bySubject);

        Assert.Equal((0, 1), (bySelector, ended));
        await AssertEndedByAsync(bySubject, lease);
    }

    [Fact]
    public async Task The_same_claims_under_two_issuers_are_two_claim_sets()
    {
        var claims = Claims(("repository", "acme/app"));
        var github = await IssueUnderAsync(ContractFakers.Subject(), claims);
        var gitlab = await IssueUnderAsync(ContractFakers.Subject(), claims, issuer: "gitlab");
        var revocation = Revocation(ClaimTarget("repository", "acme/app"));

        var ended = await RevokeAsync(revocation);
        var pruned = await Stores.Identities.PruneClaimSetsAsync(default);

        Assert.Equal((1, 1), (ended, pruned));
        await AssertEndedByAsync(revocation, github);
        await AssertUntouchedAsync(gitlab);
        var gitlabRevocation = Revocation(ClaimTarget("repository", "acme/app", "gitlab"));
        Assert.Equal(1, await RevokeAsync(gitlabRevocation));
        await AssertEndedByAsync(gitlabRevocation, gitlab);
    }
}
