using System.Net;
using NodaTime;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Hooks;

/// <summary>
/// GitLab's pipeline and job events, carrying the webhook's secret token, end the leases of the
/// pipeline or job they report finished, once per delivery (its Idempotency-Key, else its event UUID),
/// and only in their project.
/// </summary>
public sealed class GitLabCompletionHookTests
{
    private const string PipelineHook = "Pipeline Hook";
    private const string JobHook = "Job Hook";

    [Theory]
    [InlineData("success")]
    [InlineData("failed")]
    [InlineData("canceled")]
    [InlineData("skipped")]
    public async Task A_finished_pipeline_revokes_every_live_lease_of_the_pipeline_and_audits_the_delivery(string status)
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        using var otherPipeline = world.Leasing.Runner(run: "5500001");
        var migrate = await world.Leasing.IssueAsync(runner, "migrate-db", "schema");
        var deploy = await world.Leasing.IssueAsync(runner, "deploy");
        var other = await world.Leasing.IssueAsync(otherPipeline, "deploy", run: "5500001");
        var key = Guid.NewGuid().ToString();

        using var response = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId, status), Guid.NewGuid().ToString(), idempotencyKey: key);

        Assert.Equal(2, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(migrate);
        await world.ShouldBeEndedByCompletionAsync(deploy);
        await world.ShouldBeLiveAsync(other);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal(("webhook:gitlab", world.TargetOf(world.Ci.RunId), "allowed"), (audited.Actor, audited.Target, audited.Decision));
        Assert.Equal($"run_completed: pipeline delivery {key}; 2 leases", audited.Reason);
    }

    [Fact]
    public async Task A_retry_under_the_same_idempotency_key_is_replayed_and_changes_nothing_though_its_event_uuid_is_new()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        var first = await world.Leasing.IssueAsync(runner, "deploy");
        var key = Guid.NewGuid().ToString();
        using var completed = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), Guid.NewGuid().ToString(), idempotencyKey: key);
        world.Broker.Clock.Advance(Duration.FromMinutes(1));
        using var retried = world.Leasing.Runner();
        var afterRetry = await world.Leasing.IssueAsync(retried, "deploy");

        using var again = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId, duration: 470), Guid.NewGuid().ToString(), idempotencyKey: key);

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        Assert.Equal(0, (await HookWorld.ReceiptAsync(again, HttpStatusCode.OK, "replayed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(first);
        await world.ShouldBeLiveAsync(afterRetry);
        Assert.Single(await world.CompletionsAsync());
    }

    [Fact]
    public async Task Without_an_idempotency_key_the_event_uuid_names_the_delivery_and_a_resend_of_it_is_replayed()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        await world.Leasing.IssueAsync(runner, "deploy");
        var uuid = Guid.NewGuid().ToString();
        using var completed = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), uuid);
        world.Broker.Clock.Advance(Duration.FromMinutes(1));
        using var retried = world.Leasing.Runner();
        var afterRetry = await world.Leasing.IssueAsync(retried, "deploy");

        using var again = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId, duration: 470), uuid);

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        await HookWorld.ReceiptAsync(again, HttpStatusCode.OK, "replayed");
        await world.ShouldBeLiveAsync(afterRetry);
        Assert.Equal($"run_completed: pipeline delivery {uuid}; 1 leases", Assert.Single(await world.CompletionsAsync()).Reason);
    }

    [Fact]
    public async Task The_same_body_under_a_new_idempotency_key_and_event_uuid_is_replayed()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        await world.Leasing.IssueAsync(runner, "deploy");
        var body = HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId);
        using var completed = await world.Hooks.GitLabAsync(PipelineHook, body, Guid.NewGuid().ToString(), idempotencyKey: Guid.NewGuid().ToString());
        world.Broker.Clock.Advance(Duration.FromMinutes(1));
        using var retried = world.Leasing.Runner();
        var afterRetry = await world.Leasing.IssueAsync(retried, "deploy");

        using var again = await world.Hooks.GitLabAsync(PipelineHook, body, Guid.NewGuid().ToString(), idempotencyKey: Guid.NewGuid().ToString());

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        await HookWorld.ReceiptAsync(again, HttpStatusCode.OK, "replayed");
        await world.ShouldBeLiveAsync(afterRetry);
        Assert.Single(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_finished_pipeline_of_another_project_with_the_same_id_leaves_this_project_s_leases_alone()
    {
        await using var world = await HookWorld.StartAsync(
            CiPlatform.GitLabCi,
            project => LeasingBroker.PolicyFor(project.Split('/')[0] + "/*", "gitlab", "project_path"));
        var sibling = world.Ci.Repository.Split('/')[0] + "/payments/service";
        using var ours = world.Leasing.Runner();
        using var theirs = world.Leasing.Runner(repository: sibling);
        var ourLease = await world.Leasing.IssueAsync(ours, "deploy");
        var theirLease = await world.Leasing.IssueAsync(theirs, "deploy");

        using var response = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(sibling, world.Ci.RunId), Guid.NewGuid().ToString());

        Assert.Equal(1, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(theirLease);
        await world.ShouldBeLiveAsync(ourLease);
    }

    [Fact]
    public async Task A_finished_job_revokes_that_job_s_leases_and_leaves_the_pipeline_s_other_jobs_alive()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        const string otherJob = "77000000001";
        using var migrateJob = world.Leasing.Runner();
        using var deployJob = world.Leasing.Runner(job: otherJob);
        var migrate = await world.Leasing.IssueAsync(migrateJob, "migrate-db", "schema");
        var deploy = await world.Leasing.IssueAsync(deployJob, "deploy");
        var uuid = Guid.NewGuid().ToString();

        using var response = await world.Hooks.GitLabAsync(JobHook, HookPayloads.GitLabJob(world.Ci.Repository, world.Ci.RunId, world.Ci.JobId, "canceled"), uuid);
        using var sameJobAgain = await LeasingBroker.LeaseAsync(migrateJob, world.Ci.RunId, "deploy");
        using var otherJobAgain = await LeasingBroker.LeaseAsync(deployJob, world.Ci.RunId, "smoke");

        Assert.Equal(1, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(migrate);
        await world.ShouldBeLiveAsync(deploy);
        await sameJobAgain.ShouldBeProblemAsync(HttpStatusCode.Conflict, "run_completed");
        await otherJobAgain.ShouldBeAsync(HttpStatusCode.Created);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal((world.TargetOf(world.Ci.RunId, world.Ci.JobId), $"run_completed: job delivery {uuid}; 1 leases"), (audited.Target, audited.Reason));
    }

    [Fact]
    public async Task A_finished_pipeline_the_broker_never_leased_to_is_answered_unknown_run_and_audited()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var uuid = Guid.NewGuid().ToString();

        using var response = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, "6600000001"), uuid);

        await HookWorld.ReceiptAsync(response, HttpStatusCode.Accepted, "unknown_run");
        await world.ShouldBeLiveAsync(lease);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal((world.TargetOf("6600000001"), $"run_completed: pipeline delivery {uuid}; unknown run, no leases"), (audited.Target, audited.Reason));
    }

    [Theory]
    [InlineData("Pipeline Hook", "running")]
    [InlineData("Pipeline Hook", "pending")]
    [InlineData("Job Hook", "running")]
    [InlineData("Job Hook", "created")]
    public async Task An_event_of_a_pipeline_or_job_still_going_is_ignored(string eventName, string status)
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = eventName == JobHook
            ? HookPayloads.GitLabJob(world.Ci.Repository, world.Ci.RunId, world.Ci.JobId, status)
            : HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId, status);

        using var response = await world.Hooks.GitLabAsync(eventName, body, Guid.NewGuid().ToString());

        await HookWorld.ReceiptAsync(response, HttpStatusCode.Accepted, "ignored");
        await world.ShouldBeLiveAsync(lease);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task After_a_pipeline_finished_a_token_from_before_is_refused_and_a_retried_job_s_new_token_leases()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var lateStep = world.Leasing.Runner();
        world.Broker.Clock.Advance(Duration.FromSeconds(30));
        using var completed = await world.Hooks.GitLabAsync(PipelineHook, HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), Guid.NewGuid().ToString());
        world.Broker.Clock.Advance(Duration.FromMinutes(1));
        using var retriedJob = world.Leasing.Runner(job: "77000000002");

        using var refused = await LeasingBroker.LeaseAsync(lateStep, world.Ci.RunId, "deploy");
        using var leased = await LeasingBroker.LeaseAsync(retriedJob, world.Ci.RunId, "deploy");

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.Accepted, "unknown_run");
        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "run_completed");
        await leased.ShouldBeAsync(HttpStatusCode.Created);
    }
}
