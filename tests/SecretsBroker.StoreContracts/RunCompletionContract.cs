using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// What every store must do with a CI platform's report that a run or job finished: end exactly the
/// live leases of that run (or job) in that project, once per delivery, and refuse a new lease of it
/// whose token was issued before the report, while leaving later tokens (a re-run) alone.
/// </summary>
public abstract class RunCompletionContract : StoreContract
{
    private const string Project = "acme/app";

    [Fact]
    public async Task A_run_completion_ends_the_runs_live_leases_in_its_project_and_no_others()
    {
        var run = ContractFakers.RunId();
        var live = await IssueAsync(run, "7");
        var otherJob = await IssueAsync(run, "8", state: LeaseState.Issuing);
        var otherProject = await IssueAsync(run, "7", project: "acme/other");
        var otherRun = await IssueAsync(ContractFakers.RunId(), "7");
        var otherIssuer = await IssueAsync(run, "7", issuer: "gitlab");
        var before = (await TrailAsync()).Count;

        var outcome = await CompleteAsync(Completion(run));

        Assert.Equal(new CompletionOutcome(false, true, 2), outcome);
        foreach (var ended in new[] { live, otherJob })
        {
            var stored = await Stores.Leases.FindAsync(ended.Id, default);
            Assert.Equal((LeaseState.Revoking, RevokeReasons.RunCompleted), (stored!.State, stored.RevokeReason));
        }

        Assert.Null(await Stores.Leases.ReadCredentialAsync(live.Id, default));
        foreach (var untouched in new[] { otherProject, otherRun, otherIssuer })
        {
            Assert.Equal(LeaseState.Active, (await Stores.Leases.FindAsync(untouched.Id, default))!.State);
        }

        var trail = await TrailAsync();
        Assert.Equal(before + 1, trail.Count);
        Assert.Equal((AuditActions.RunComplete, $"run:github/{Project}/{run}", "2 leases, known"), (trail[^1].Action, trail[^1].Target, trail[^1].Reason));
    }

    [Fact]
    public async Task A_job_completion_ends_only_that_jobs_leases()
    {
        var run = ContractFakers.RunId();
        var job = await IssueAsync(run, "7");
        var sibling = await IssueAsync(run, "8");

        var outcome = await CompleteAsync(Completion(run, job: "7"));

        Assert.Equal(new CompletionOutcome(false, true, 1), outcome);
        Assert.Equal(LeaseState.Revoking, (await Stores.Leases.FindAsync(job.Id, default))!.State);
        Assert.Equal(LeaseState.Active, (await Stores.Leases.FindAsync(sibling.Id, default))!.State);
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewRunLease(run, "8", issuedAt: Now - Duration.FromSeconds(30))));
        Assert.Equal(LeaseInsert.RunCompleted, await InsertAsync(NewRunLease(run, "7", issuedAt: Now - Duration.FromSeconds(30))));
    }

    [Fact]
    public async Task A_delivery_seen_before_changes_nothing_whether_its_id_or_its_body_repeats()
    {
        var run = ContractFakers.RunId();
        var first = Completion(run);
        Assert.False((await CompleteAsync(first)).Replayed);
        var lease = await IssueAsync(run, "7", issuedAt: Now + Duration.FromSeconds(1));
        Clock.Advance(Duration.FromMinutes(1));
        var before = (await TrailAsync()).Count;

        var sameId = await CompleteAsync(first with { BodyDigest = Digest(), At = Now });
        var sameBody = await CompleteAsync(first with { Delivery = Delivery(), At = Now });

        Assert.Equal(CompletionOutcome.Replay, sameId);
        Assert.Equal(CompletionOutcome.Replay, sameBody);
        Assert.Equal(LeaseState.Active, (await Stores.Leases.FindAsync(lease.Id, default))!.State);
        Assert.Equal(before, (await TrailAsync()).Count);
    }

    [Fact]
    public async Task A_completion_of_a_run_never_leased_to_is_recorded_and_refuses_its_late_steps_but_not_a_rerun()
    {
        var run = ContractFakers.RunId();
        var tokenOfLateStep = Now - Duration.FromMinutes(2);

        var outcome = await CompleteAsync(Completion(run));
        Clock.Advance(Duration.FromSeconds(5));

        Assert.Equal(new CompletionOutcome(false, false, 0), outcome);
        Assert.Equal("0 leases, unknown", (await TrailAsync())[^1].Reason);
        Assert.Equal(LeaseInsert.RunCompleted, await InsertAsync(NewRunLease(run, "7", issuedAt: tokenOfLateStep)));
        Assert.Equal(LeaseInsert.RunCompleted, await InsertAsync(NewRunLease(run, "7", issuedAt: Now - Duration.FromSeconds(5))));
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewRunLease(run, "7", issuedAt: Now)));
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewRunLease(run, "7", issuedAt: tokenOfLateStep, project: "acme/other")));
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewRunLease(run, "7", issuedAt: tokenOfLateStep) with { Project = null }));
    }

    [Fact]
    public async Task Pruned_completions_no_longer_refuse_and_later_ones_stay()
    {
        var oldRun = ContractFakers.RunId();
        var newRun = ContractFakers.RunId();
        await CompleteAsync(Completion(oldRun));
        Clock.Advance(Duration.FromDays(2));
        await CompleteAsync(Completion(newRun));

        var pruned = await Stores.RunCompletions.PruneAsync(Now - Duration.FromDays(1), default);

        Assert.Equal(1, pruned);
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewRunLease(oldRun, "7", issuedAt: Start - Duration.FromMinutes(1))));
        Assert.Equal(LeaseInsert.RunCompleted, await InsertAsync(NewRunLease(newRun, "7", issuedAt: Now - Duration.FromMinutes(1))));
    }

    [Fact]
    public async Task Leases_inserted_while_their_run_completes_are_each_refused_or_ended()
    {
        for (var round = 0; round < 5; round++)
        {
            var run = ContractFakers.RunId();
            var leases = Enumerable.Range(0, 20).Select(i => NewRunLease(run, (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture), issuedAt: Now)).ToList();
            var inserts = leases.Select(l => Task.Run(() => InsertAsync(l))).ToList();
            var completion = Task.Run(() => CompleteAsync(Completion(run)));
            await Task.WhenAll(inserts);
            var outcome = await completion;

            var inserted = leases.Where((_, i) => inserts[i].Result == LeaseInsert.Inserted).ToList();
            Assert.Equal(leases.Count, inserted.Count + inserts.Count(t => t.Result == LeaseInsert.RunCompleted));
            Assert.Equal(inserted.Count, outcome.Revoked);
            foreach (var lease in inserted)
            {
                Assert.Equal(LeaseState.Revoking, (await Stores.Leases.FindAsync(lease.Id, default))!.State);
            }
        }
    }

    [Fact]
    public async Task One_delivery_handed_to_two_callers_at_once_is_recorded_once()
    {
        var run = ContractFakers.RunId();
        await IssueAsync(run, "7");
        var completion = Completion(run);

        var outcomes = await RaceAsync(8, _ => CompleteAsync(completion));

        Assert.Single(outcomes, o => !o.Replayed);
        Assert.Equal(1, outcomes.Single(o => !o.Replayed).Revoked);
        Assert.Single(await TrailAsync(), e => e.Action == AuditActions.RunComplete);
    }

    private static string Delivery() => Guid.NewGuid().ToString();

    private static string Digest() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()).PadRight(64, '0');

    private RunCompletion Completion(string run, string? job = null) =>
        new("github", Project, run, job, job is null ? "workflow_run" : "workflow_job", Delivery(), Digest(), Now);

    /// <summary>The audit reason says the count and whether the run was known, so each contract reads both back.</summary>
    private Task<CompletionOutcome> CompleteAsync(RunCompletion completion) =>
        Stores.RunCompletions.CompleteAsync(
            completion,
            (n, known) => NewRecord(AuditActions.RunComplete, completion.Target) with { Reason = $"{n} leases, {(known ? "known" : "unknown")}" },
            default);

    private Lease NewRunLease(string run, string job, Instant? issuedAt = null, string issuer = "github", string project = Project, string state = LeaseState.Active) =>
        NewLease(state) with { Issuer = issuer, RunId = run, JobId = job, Project = project, TokenIssuedAt = issuedAt ?? Now - Duration.FromSeconds(10) };

    private Task<LeaseInsert> InsertAsync(Lease lease) =>
        Stores.Leases.InsertAsync(lease, lease.State == LeaseState.Active ? ContractFakers.Ciphertext() : null, NewRecord(AuditActions.LeaseIssue, "lease:" + lease.Id), default);

    private async Task<Lease> IssueAsync(
        string run, string job, string issuer = "github", string project = Project, string state = LeaseState.Active, Instant? issuedAt = null)
    {
        var lease = NewRunLease(run, job, issuedAt, issuer, project, state);
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(lease));
        return lease;
    }
}
