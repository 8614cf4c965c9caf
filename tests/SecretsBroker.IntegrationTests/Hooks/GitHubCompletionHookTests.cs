using System.Net;
using System.Text.Json.Nodes;
using NodaTime;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Hooks;

/// <summary>
/// GitHub's <c>workflow_run</c> and <c>workflow_job</c> deliveries, signed as GitHub signs them, end the
/// leases of the run or job they report finished, once per delivery, and only in their repository.
/// </summary>
public sealed class GitHubCompletionHookTests
{
    /// <summary>The leasing policy, and a rule letting the enterprise server's jobs of the same repository lease too.</summary>
    private static string PolicyForBothIssuers(string repository) => LeasingBroker.PolicyFor(repository) + $$"""
          - name: ghes-pipelines
            issuer: ghes
            claims: { repository: "{{repository}}" }
            roles: [{{LeasingBroker.Role}}]
            steps: ["deploy"]
            purposes: ["*"]

        """;

    [Fact]
    public async Task A_completed_workflow_run_revokes_every_live_lease_of_the_run_and_audits_the_delivery()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        using var otherRunner = world.Leasing.Runner(run: "7700001");
        var migrate = await world.Leasing.IssueAsync(runner, "migrate-db", "schema");
        var deploy = await world.Leasing.IssueAsync(runner, "deploy", "smoke");
        var otherRun = await world.Leasing.IssueAsync(otherRunner, "deploy", run: "7700001");
        var delivery = HookSender.NewDelivery();

        using var response = await world.Hooks.GitHubAsync("workflow_run", delivery, HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId, conclusion: "cancelled"));

        var receipt = await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed");
        Assert.Equal(2, receipt.Revoked);
        await world.ShouldBeEndedByCompletionAsync(migrate);
        await world.ShouldBeEndedByCompletionAsync(deploy);
        await world.ShouldBeLiveAsync(otherRun);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal(("webhook:github", world.TargetOf(world.Ci.RunId), "allowed"), (audited.Actor, audited.Target, audited.Decision));
        Assert.Equal($"run_completed: workflow_run delivery {delivery}; 2 leases", audited.Reason);
    }

    [Fact]
    public async Task The_same_delivery_id_sent_again_is_replayed_and_changes_nothing()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var first = await world.Leasing.IssueAsync(runner, "deploy");
        var delivery = HookSender.NewDelivery();
        using var completed = await world.Hooks.GitHubAsync("workflow_run", delivery, HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));
        world.Broker.Clock.Advance(Duration.FromMinutes(1));
        using var rerun = world.Leasing.Runner();
        var afterRerun = await world.Leasing.IssueAsync(rerun, "deploy");

        // GitHub's "Redeliver" sends the same delivery id again; a later attempt's body differs.
        using var again = await world.Hooks.GitHubAsync("workflow_run", delivery, HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId, attempt: 2));

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        var receipt = await HookWorld.ReceiptAsync(again, HttpStatusCode.OK, "replayed");
        Assert.Equal(0, receipt.Revoked);
        await world.ShouldBeEndedByCompletionAsync(first);
        await world.ShouldBeLiveAsync(afterRerun);
        Assert.Single(await world.CompletionsAsync());
    }

    [Fact]
    public async Task The_same_signed_body_under_a_new_delivery_id_is_replayed_and_changes_nothing()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        await world.Leasing.IssueAsync(runner, "deploy");
        var body = HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId);
        using var completed = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), body);
        world.Broker.Clock.Advance(Duration.FromMinutes(1));
        using var rerun = world.Leasing.Runner();
        var afterRerun = await world.Leasing.IssueAsync(rerun, "deploy");
        var resent = HookSender.NewDelivery();

        using var again = await world.Hooks.GitHubAsync("workflow_run", resent, body);

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        Assert.Equal(0, (await HookWorld.ReceiptAsync(again, HttpStatusCode.OK, "replayed")).Revoked);
        await world.ShouldBeLiveAsync(afterRerun);
        Assert.DoesNotContain(await world.TrailAsync(), e => e.Reason?.Contains(resent, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_completed_run_of_another_repository_with_the_same_run_id_leaves_this_repository_s_leases_alone()
    {
        await using var world = await HookWorld.StartAsync(policyFor: repository => LeasingBroker.PolicyFor(repository.Split('/')[0] + "/*"));
        var sibling = world.Ci.Repository.Split('/')[0] + "/payments-service";
        using var ours = world.Leasing.Runner();
        using var theirs = world.Leasing.Runner(repository: sibling);
        var ourLease = await world.Leasing.IssueAsync(ours, "deploy");
        var theirLease = await world.Leasing.IssueAsync(theirs, "deploy");

        using var response = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(sibling, world.Ci.RunId));

        Assert.Equal(1, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(theirLease);
        await world.ShouldBeLiveAsync(ourLease);
        Assert.Equal(world.TargetOf(world.Ci.RunId, project: sibling), Assert.Single(await world.CompletionsAsync()).Target);
    }

    [Fact]
    public async Task A_delivery_signed_with_another_GitHub_issuer_s_secret_ends_only_that_issuer_s_leases()
    {
        // github.com and a GitHub Enterprise Server, each with its own webhook secret, may both name a repository and run alike.
        using var ghes = CiTokenIssuer.GitHub(name: "ghes", issuer: "https://ghes.example.test/_services/token").WithWebhook();
        await using var world = await HookWorld.StartAsync(policyFor: PolicyForBothIssuers, settings: ghes.SettingsAt(1));
        using var dotCom = world.Leasing.Runner();
        using var enterprise = world.Broker.Client(ghes.Mint(world.Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["sub"] = ghes.SubjectFor(world.Ci.Repository),
            ["run_id"] = world.Ci.RunId,
            ["check_run_id"] = world.Ci.JobId,
            ["repository"] = world.Ci.Repository,
        }));
        var dotComLease = await world.Leasing.IssueAsync(dotCom, "deploy");
        var enterpriseLease = await world.Leasing.IssueAsync(enterprise, "deploy");

        using var response = await new HookSender(world.Client, ghes.WebhookSecret!).GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));

        Assert.Equal(1, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(enterpriseLease);
        await world.ShouldBeLiveAsync(dotComLease);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal(("webhook:ghes", $"run:ghes/{world.Ci.Repository}/{world.Ci.RunId}"), (audited.Actor, audited.Target));
    }

    [Fact]
    public async Task A_completed_workflow_job_revokes_that_job_s_leases_and_leaves_the_run_s_other_jobs_alive()
    {
        await using var world = await HookWorld.StartAsync();
        const string otherJob = "41000000077";
        using var migrateJob = world.Leasing.Runner();
        using var deployJob = world.Leasing.Runner(job: otherJob);
        var migrate = await world.Leasing.IssueAsync(migrateJob, "migrate-db", "schema");
        var migrateSmoke = await world.Leasing.IssueAsync(migrateJob, "smoke", "check");
        var deploy = await world.Leasing.IssueAsync(deployJob, "deploy");
        var delivery = HookSender.NewDelivery();

        using var response = await world.Hooks.GitHubAsync("workflow_job", delivery, HookPayloads.WorkflowJob(world.Ci.Repository, world.Ci.RunId, world.Ci.JobId));
        using var sameJobAgain = await LeasingBroker.LeaseAsync(migrateJob, world.Ci.RunId, "deploy");
        using var otherJobAgain = await LeasingBroker.LeaseAsync(deployJob, world.Ci.RunId, "smoke");

        Assert.Equal(2, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(migrate);
        await world.ShouldBeEndedByCompletionAsync(migrateSmoke);
        await world.ShouldBeLiveAsync(deploy);
        await sameJobAgain.ShouldBeProblemAsync(HttpStatusCode.Conflict, "run_completed");
        await otherJobAgain.ShouldBeAsync(HttpStatusCode.Created);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal(world.TargetOf(world.Ci.RunId, world.Ci.JobId), audited.Target);
        Assert.Equal($"run_completed: workflow_job delivery {delivery}; 2 leases", audited.Reason);
    }

    [Fact]
    public async Task A_workflow_job_without_a_check_run_url_is_matched_by_its_id()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = JsonNode.Parse(HookPayloads.WorkflowJob(world.Ci.Repository, world.Ci.RunId, world.Ci.JobId))!;
        Assert.True(body["workflow_job"]!.AsObject().Remove("check_run_url"));

        using var response = await world.Hooks.GitHubAsync("workflow_job", HookSender.NewDelivery(), body.ToJsonString());

        Assert.Equal(1, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed")).Revoked);
        await world.ShouldBeEndedByCompletionAsync(lease);
    }

    [Fact]
    public async Task A_completed_run_the_broker_never_leased_to_is_answered_unknown_run_and_audited()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var delivery = HookSender.NewDelivery();

        using var response = await world.Hooks.GitHubAsync("workflow_run", delivery, HookPayloads.WorkflowRun(world.Ci.Repository, "8800000001"));

        Assert.Equal(0, (await HookWorld.ReceiptAsync(response, HttpStatusCode.Accepted, "unknown_run")).Revoked);
        await world.ShouldBeLiveAsync(lease);
        var audited = Assert.Single(await world.CompletionsAsync());
        Assert.Equal((world.TargetOf("8800000001"), "webhook:github"), (audited.Target, audited.Actor));
        Assert.Equal($"run_completed: workflow_run delivery {delivery}; unknown run, no leases", audited.Reason);
    }

    [Fact]
    public async Task A_lease_asked_with_a_token_from_before_the_completion_is_refused_with_run_completed()
    {
        await using var world = await HookWorld.StartAsync();
        using var earlyStep = world.Leasing.Runner();
        await world.Leasing.IssueAsync(earlyStep, "deploy");
        using var lateStep = world.Leasing.Runner();
        world.Broker.Clock.Advance(Duration.FromSeconds(20));
        using var completed = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));

        using var refused = await LeasingBroker.LeaseAsync(lateStep, world.Ci.RunId, "smoke");

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "run_completed");
        var denial = Assert.Single(await world.TrailAsync(), e => e.Action == "lease.issue" && e.Decision == "denied");
        Assert.StartsWith("run_completed", denial.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_minted_after_the_completion_by_a_re_run_still_leases()
    {
        await using var world = await HookWorld.StartAsync();
        using var firstAttempt = world.Leasing.Runner();
        var before = await world.Leasing.IssueAsync(firstAttempt, "deploy");
        using var completed = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));

        // A re-run keeps the run id; its jobs get new tokens, issued after the run's first attempt ended.
        world.Broker.Clock.Advance(Duration.FromMinutes(2));
        using var secondAttempt = world.Leasing.Runner();
        using var leased = await LeasingBroker.LeaseAsync(secondAttempt, world.Ci.RunId, "deploy");

        await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed");
        await leased.ShouldBeAsync(HttpStatusCode.Created);
        await world.ShouldBeEndedByCompletionAsync(before);
    }

    [Fact]
    public async Task A_ping_is_answered_pong_and_records_no_completion()
    {
        await using var world = await HookWorld.StartAsync();

        using var response = await world.Hooks.GitHubAsync("ping", HookSender.NewDelivery(), HookPayloads.Ping(world.Ci.Repository));

        Assert.Equal(0, (await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "pong")).Revoked);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Theory]
    [InlineData("workflow_run", "requested")]
    [InlineData("workflow_run", "in_progress")]
    [InlineData("workflow_job", "queued")]
    [InlineData("workflow_job", "in_progress")]
    [InlineData("check_suite", "completed")]
    public async Task An_event_that_ends_nothing_is_ignored_and_the_run_can_still_be_completed(string eventName, string action)
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = eventName == "workflow_job"
            ? HookPayloads.WorkflowJob(world.Ci.Repository, world.Ci.RunId, world.Ci.JobId, action)
            : HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId, action);
        var delivery = HookSender.NewDelivery();

        using var ignored = await world.Hooks.GitHubAsync(eventName, delivery, body);
        var liveAfterIgnored = await world.IsActiveAsync(lease);
        var completionsAfterIgnored = (await world.CompletionsAsync()).Count;
        using var completed = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));

        await HookWorld.ReceiptAsync(ignored, HttpStatusCode.Accepted, "ignored");
        Assert.True(liveAfterIgnored);
        Assert.Equal(0, completionsAfterIgnored);
        Assert.Equal(1, (await HookWorld.ReceiptAsync(completed, HttpStatusCode.OK, "completed")).Revoked);
    }
}
