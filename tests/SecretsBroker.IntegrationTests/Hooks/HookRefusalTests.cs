using System.Net;
using System.Text;
using System.Text.Json;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Hooks;

/// <summary>
/// What the webhooks refuse, each with its stable code: a delivery that does not prove it holds the
/// secret (before anything else of it is read), a body that is not what the platform sends, a route
/// no issuer has a webhook for. A refused delivery touches no lease; the secret shows up nowhere.
/// </summary>
public sealed class HookRefusalTests
{
    [Theory]
    [InlineData("another secret")]
    [InlineData("body changed after signing")]
    [InlineData("no signature")]
    [InlineData("signature not hex")]
    [InlineData("sha1 prefix")]
    public async Task A_GitHub_delivery_without_a_valid_signature_is_refused_401_audited_and_touches_no_lease(string flaw)
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = Encoding.UTF8.GetBytes(HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));
        var signature = flaw switch
        {
            "another secret" => HookSender.Signature(body, "0123456789abcdef-not-the-secret"),
            "body changed after signing" => HookSender.Signature(Encoding.UTF8.GetBytes(HookPayloads.WorkflowRun(world.Ci.Repository, "1234567")), world.Secret),
            "no signature" => null,
            "signature not hex" => "sha256=" + new string('z', 64),
            _ => "sha1=" + HookSender.Signature(body, world.Secret)["sha256=".Length..][..40],
        };

        using var response = await world.Hooks.GitHubRawAsync("workflow_run", HookSender.NewDelivery(), body, signature);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "hook_unauthenticated");
        await world.ShouldBeLiveAsync(lease);
        var trail = await world.TrailAsync();
        Assert.DoesNotContain(trail, e => e.Action == "run.complete");
        var refusal = Assert.Single(trail, e => e.Action == "POST /v1/hooks/github");
        Assert.Equal(("rejected", "hook_unauthenticated"), (refusal.Decision, refusal.Reason));
    }

    [Theory]
    [InlineData("0123456789abcdef-not-the-secret")]
    [InlineData("")]
    public async Task A_GitLab_delivery_with_a_wrong_or_empty_token_is_refused_401_audited_and_touches_no_lease(string token)
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");

        using var response = await world.Hooks.GitLabAsync("Pipeline Hook", HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), Guid.NewGuid().ToString(), token: token);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "hook_unauthenticated");
        await world.ShouldBeLiveAsync(lease);
        var trail = await world.TrailAsync();
        Assert.DoesNotContain(trail, e => e.Action == "run.complete");
        var refusal = Assert.Single(trail, e => e.Action == "POST /v1/hooks/gitlab");
        Assert.Equal(("rejected", "hook_unauthenticated"), (refusal.Decision, refusal.Reason));
    }

    [Fact]
    public async Task A_GitLab_token_that_is_the_GitHub_issuer_s_secret_is_refused()
    {
        using var github = CiTokenIssuer.GitHub().WithWebhook();
        using var gitlab = CiTokenIssuer.GitLab().WithWebhook();
        await using var broker = await TestBroker.StartAsync(new() { Settings = CiTokenIssuer.SettingsFor(github, gitlab) });
        using var client = broker.Client();

        using var response = await new HookSender(client, github.WebhookSecret!).GitLabAsync("Pipeline Hook", HookPayloads.GitLabPipeline(gitlab.Repository, gitlab.RunId), Guid.NewGuid().ToString());

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "hook_unauthenticated");
    }

    [Fact]
    public async Task An_unsigned_delivery_is_refused_as_unauthenticated_before_its_body_is_read()
    {
        await using var world = await HookWorld.StartAsync();

        using var garbage = await world.Hooks.GitHubRawAsync("workflow_run", HookSender.NewDelivery(), "{\"action\": "u8.ToArray(), null);
        using var plainText = await world.Client.PostAsync("/v1/hooks/github", new StringContent("not json", Encoding.UTF8, "text/plain"));

        await garbage.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "hook_unauthenticated");
        await plainText.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "hook_unauthenticated");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a delivery id")]
    [InlineData("../../etc/passwd")]
    [InlineData("-starts-with-a-dash")]
    public async Task A_signed_GitHub_delivery_without_a_usable_delivery_id_is_refused_400_and_touches_no_lease(string delivery)
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");

        using var response = await world.Hooks.GitHubAsync("workflow_run", delivery, HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_hook_event");
        await world.ShouldBeLiveAsync(lease);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_signed_GitHub_delivery_with_an_over_long_delivery_id_or_odd_event_name_is_refused_400()
    {
        await using var world = await HookWorld.StartAsync();
        var body = HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId);

        using var longId = await world.Hooks.GitHubAsync("workflow_run", new string('a', 129), body);
        using var oddEvent = await world.Hooks.GitHubAsync("Workflow-Run", HookSender.NewDelivery(), body);

        await longId.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_hook_event");
        await oddEvent.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_hook_event");
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_GitLab_delivery_with_neither_an_idempotency_key_nor_an_event_uuid_is_refused_400()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);

        using var response = await world.Hooks.GitLabAsync("Pipeline Hook", HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), eventUuid: "");

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_hook_event");
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_GitHub_run_id_given_as_a_JSON_string_is_refused_400_and_touches_no_lease()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId)
            .Replace($"\"id\": {world.Ci.RunId},", $"\"id\": \"{world.Ci.RunId}\",", StringComparison.Ordinal);
        Assert.Contains($"\"id\": \"{world.Ci.RunId}\"", body, StringComparison.Ordinal);

        using var response = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), body);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_hook_event");
        await world.ShouldBeLiveAsync(lease);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_GitLab_pipeline_id_given_as_a_JSON_string_is_refused_400_and_touches_no_lease()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId)
            .Replace($"\"id\": {world.Ci.RunId},", $"\"id\": \"{world.Ci.RunId}\",", StringComparison.Ordinal);
        Assert.Contains($"\"id\": \"{world.Ci.RunId}\"", body, StringComparison.Ordinal);

        using var response = await world.Hooks.GitLabAsync("Pipeline Hook", body, Guid.NewGuid().ToString());

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_hook_event");
        await world.ShouldBeLiveAsync(lease);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_GitHub_body_naming_the_run_twice_is_refused_400_and_touches_no_lease()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");

        // Two ids, one for a reader that keeps the first and one for a reader that keeps the last.
        var body = HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId)
            .Replace("\"workflow_run\": {", "\"workflow_run\": {\"id\": 1,", StringComparison.Ordinal);

        using var response = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), body);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        await world.ShouldBeLiveAsync(lease);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_GitLab_body_naming_the_project_twice_is_refused_400_and_touches_no_lease()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId)
            .Replace("\"object_kind\": \"pipeline\",", "\"object_kind\": \"pipeline\", \"project\": { \"path_with_namespace\": \"someone/else\" },", StringComparison.Ordinal);

        using var response = await world.Hooks.GitLabAsync("Pipeline Hook", body, Guid.NewGuid().ToString());

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        await world.ShouldBeLiveAsync(lease);
        Assert.Empty(await world.CompletionsAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_one_JSON_object_is_refused_400_malformed_json()
    {
        await using var world = await HookWorld.StartAsync();

        using var array = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), $"[{HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId)}]");
        using var truncated = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId)[..200]);

        await array.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        await truncated.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Fact]
    public async Task Without_a_webhook_configured_both_routes_answer_404_hook_not_configured()
    {
        await using var leasing = await LeasingBroker.StartAsync();
        using var client = leasing.Broker.Client();
        var hooks = new HookSender(client, "0123456789abcdef-any-secret");

        using var github = await hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), HookPayloads.WorkflowRun(leasing.Ci.Repository, leasing.Ci.RunId));
        using var gitlab = await hooks.GitLabAsync("Pipeline Hook", HookPayloads.GitLabPipeline(leasing.Ci.Repository, leasing.Ci.RunId), Guid.NewGuid().ToString());

        await github.ShouldBeProblemAsync(HttpStatusCode.NotFound, "hook_not_configured");
        await gitlab.ShouldBeProblemAsync(HttpStatusCode.NotFound, "hook_not_configured");
    }

    [Fact]
    public async Task The_GitLab_route_answers_404_when_only_a_GitHub_issuer_has_a_webhook()
    {
        await using var world = await HookWorld.StartAsync();

        using var gitlab = await world.Hooks.GitLabAsync("Pipeline Hook", HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), Guid.NewGuid().ToString());

        await gitlab.ShouldBeProblemAsync(HttpStatusCode.NotFound, "hook_not_configured");
    }

    [Fact]
    public async Task A_signed_GitHub_delivery_over_1_MiB_is_refused_413_and_touches_no_lease()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");
        var body = HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId, title: new string('x', 1024 * 1024));
        Assert.True(Encoding.UTF8.GetByteCount(body) > 1024 * 1024);

        using var response = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), body);

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        await world.ShouldBeLiveAsync(lease);
    }

    [Fact]
    public async Task A_GitLab_delivery_over_1_MiB_is_refused_413()
    {
        await using var world = await HookWorld.StartAsync(CiPlatform.GitLabCi);
        var body = HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId)
            .Replace("\"name\": \"Pipeline for branch: main\"", $"\"name\": \"{new string('x', 1024 * 1024)}\"", StringComparison.Ordinal);

        using var response = await world.Hooks.GitLabAsync("Pipeline Hook", body, Guid.NewGuid().ToString());

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task A_signed_GitHub_delivery_of_a_large_but_allowed_body_is_taken()
    {
        await using var world = await HookWorld.StartAsync();
        using var runner = world.Leasing.Runner();
        var lease = await world.Leasing.IssueAsync(runner, "deploy");

        // Far over the 64 KiB the broker's other routes take: a platform's event body can be large.
        var body = HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId, title: new string('x', 900 * 1024));

        using var response = await world.Hooks.GitHubAsync("workflow_run", HookSender.NewDelivery(), body);

        await HookWorld.ReceiptAsync(response, HttpStatusCode.OK, "completed");
        await world.ShouldBeEndedByCompletionAsync(lease);
    }

    [Fact]
    public async Task A_delivery_not_sent_as_application_json_is_refused_415()
    {
        await using var world = await HookWorld.StartAsync();
        var body = Encoding.UTF8.GetBytes(HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId));

        // GitHub's other content type: the payload form-encoded as payload=<json>.
        using var response = await world.Hooks.GitHubRawAsync("workflow_run", HookSender.NewDelivery(), body, HookSender.Signature(body, world.Secret), "application/x-www-form-urlencoded");

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Empty(await world.CompletionsAsync());
    }

    [Theory]
    [InlineData(CiPlatform.GitHubActions)]
    [InlineData(CiPlatform.GitLabCi)]
    public async Task The_webhook_secret_appears_in_no_log_line_audit_record_or_answer(CiPlatform platform)
    {
        await using var world = await HookWorld.StartAsync(platform);
        using var runner = world.Leasing.Runner();
        await world.Leasing.IssueAsync(runner, "deploy");
        var answers = new List<string>();
        var delivery = Guid.NewGuid().ToString();
        var bodies = platform == CiPlatform.GitHubActions
            ? new[] { HookPayloads.WorkflowRun(world.Ci.Repository, world.Ci.RunId), HookPayloads.WorkflowRun(world.Ci.Repository, "8800000002"), "[]" }
            : new[] { HookPayloads.GitLabPipeline(world.Ci.Repository, world.Ci.RunId), HookPayloads.GitLabPipeline(world.Ci.Repository, "8800000002"), "[]" };

        // Taken, replayed, unknown, malformed, and refused with a near miss of the secret.
        foreach (var (body, id) in new[] { (bodies[0], delivery), (bodies[0], delivery), (bodies[1], Guid.NewGuid().ToString()), (bodies[2], Guid.NewGuid().ToString()) })
        {
            using var response = platform == CiPlatform.GitHubActions
                ? await world.Hooks.GitHubAsync("workflow_run", id, body)
                : await world.Hooks.GitLabAsync("Pipeline Hook", body, id);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        var nearMiss = world.Secret[..^1] + (world.Secret[^1] == '0' ? '1' : '0');
        using var refused = platform == CiPlatform.GitHubActions
            ? await new HookSender(world.Client, nearMiss).GitHubAsync("workflow_run", Guid.NewGuid().ToString(), bodies[0])
            : await world.Hooks.GitLabAsync("Pipeline Hook", bodies[0], Guid.NewGuid().ToString(), token: nearMiss);
        await refused.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "hook_unauthenticated");
        answers.Add(await refused.Content.ReadAsStringAsync());

        var trail = JsonSerializer.Serialize(await world.TrailAsync());
        Assert.NotEmpty(world.Broker.Logs.Lines);
        Assert.Contains(delivery, trail, StringComparison.Ordinal);
        foreach (var secret in new[] { world.Secret, nearMiss })
        {
            Assert.DoesNotContain(secret, world.Broker.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, trail, StringComparison.Ordinal);
            Assert.All(answers, answer => Assert.DoesNotContain(secret, answer, StringComparison.Ordinal));
        }
    }
}
