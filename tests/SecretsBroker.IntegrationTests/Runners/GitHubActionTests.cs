using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// The JavaScript action in deploy/ci/github run as the GitHub Actions runner runs it (see
/// <see cref="GitHubActionJob"/>), against the real broker and the published sbctl, with no .NET on the
/// machine: main leases, masks and exports; a later step fails; post revokes the lease all the same.
/// </summary>
public sealed partial class GitHubActionTests
{
    private static Dictionary<string, string> With(LeasingBroker world, string step = "deploy", string ttl = "15m") => new(StringComparer.Ordinal)
    {
        ["address"] = world.Broker.Address.ToString().TrimEnd('/'),
        ["audience"] = world.Ci.Audience,
        ["role"] = LeasingBroker.Role,
        ["step"] = step,
        ["purpose"] = "smoke",
        ["ttl"] = ttl,
    };

    [Fact]
    public void Action_yml_parses_with_the_six_inputs_a_node20_main_and_a_post_step_that_runs_whatever_happened()
    {
        var action = GitHubActionMetadata.Load(RepositoryFiles.GitHubAction);
        var scripts = string.Concat(Directory.GetFiles(RepositoryFiles.GitHubAction, "*.js").Select(File.ReadAllText));
        var read = InputRead().Matches(scripts).Select(match => match.Groups["name"].Value).Distinct().ToList();

        var byName = action.Inputs.ToDictionary(input => input.Name, StringComparer.Ordinal);
        Assert.Subset(byName.Keys.ToHashSet(), new HashSet<string> { "address", "audience", "role", "step", "purpose", "ttl" });
        Assert.All(new[] { "address", "audience", "role", "step", "purpose" }, name => Assert.True(byName[name].Required, $"{name} is not required"));
        Assert.False(byName["ttl"].Required);
        Assert.Equal("", byName["ttl"].Default);
        Assert.Equal("sbctl", byName["sbctl"].Default);
        Assert.Equal("node20", action.Runs["using"]);
        Assert.Equal("always()", action.Runs["post-if"]);
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.GitHubAction, action.Runs["main"])));
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.GitHubAction, action.Runs["post"])));
        Assert.Contains("lease-id", action.Outputs);
        // An input a script reads but action.yml does not declare would always be empty on a real runner.
        Assert.NotEmpty(read);
        Assert.All(read, name => Assert.Contains(name, byName.Keys));
    }

    [Fact]
    public async Task Main_leases_masks_and_exports_a_failing_step_sees_the_credential_and_post_revokes_the_lease_with_a_fresh_token()
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());
        using var job = new GitHubActionJob(world.Ci.RunId, endpoint, With(world));

        var main = await job.RunMainAsync();
        var exported = main.Env;
        var token = exported["SB_TOKEN"];
        var failing = await job.RunScriptAsync("""
            echo "deploying with $SB_TOKEN"
            test "$SB_TOKEN_TYPE" = Bearer
            printf '%s' "$SB_TOKEN" > "$RUNNER_TEMP/token-seen-by-the-step"
            echo "the deployment failed" >&2
            exit 1
            """);
        // The job ran long: the OIDC token main used (5 minutes) has expired when post runs.
        world.Broker.Clock.Advance(Duration.FromMinutes(6));
        var seenBeforePost = await world.IntrospectAsync(token);
        var post = await job.RunPostAsync();
        var seenAfterPost = await world.IntrospectAsync(token);
        var lease = await LeaseRows.AfterSweepAsync(world, exported["SB_LEASE_ID"]);

        Assert.True(main.Run.ExitCode == 0, main.Run.ToString());
        Assert.Equal(["SB_LEASE_ID", "SB_LEASE_EXPIRES_AT", "SB_TOKEN", "SB_TOKEN_TYPE"], exported.Keys);
        Assert.Equal("2026-11-01T09:15:00Z", exported["SB_LEASE_EXPIRES_AT"]);
        Assert.Equal(new Dictionary<string, string> { ["lease_id"] = exported["SB_LEASE_ID"] }, main.State);
        Assert.Equal(new Dictionary<string, string> { ["lease-id"] = exported["SB_LEASE_ID"] }, main.Output);
        Assert.Equal(1, failing.Run.ExitCode);
        Assert.Equal(token, await File.ReadAllTextAsync(Path.Combine(job.RunnerTemp, "token-seen-by-the-step")));
        Assert.True(seenBeforePost.Active);
        Assert.Equal((exported["SB_LEASE_ID"], world.Ci.RunId, "deploy", "smoke"), (seenBeforePost.Subject, seenBeforePost.Run, seenBeforePost.Step, seenBeforePost.Purpose));
        Assert.True(post.Run.ExitCode == 0, post.Run.ToString());
        Assert.Contains(post.Run.StdoutLines, line => line.StartsWith($"lease '{exported["SB_LEASE_ID"]}' revoked (state ", StringComparison.Ordinal));
        Assert.False(seenAfterPost.Active);
        Assert.Equal(("revoked", RevokeReasons.RevokedByCaller), (lease.State, lease.RevokeReason));
        // Main and post each asked the runner for a token of the broker's audience.
        Assert.Equal([world.Ci.Audience, world.Ci.Audience], endpoint.Audiences);
        Assert.Contains(token, job.Log.Masks);
        Assert.Contains("deploying with ***", job.Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, job.Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("::error::", main.Run.Stdout + post.Run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("the run completed", RevokeReasons.RunCompleted)]
    [InlineData("the lease expired and was swept", RevokeReasons.Expired)]
    public async Task Post_on_a_lease_that_ended_already_succeeds_without_an_error_and_leaves_it_as_it_was(string ending, string reason)
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());
        // No ttl: the role's 10 minutes.
        using var job = new GitHubActionJob(world.Ci.RunId, endpoint, With(world, ttl: ""));
        var main = await job.RunMainAsync();
        var leaseId = main.Env["SB_LEASE_ID"];
        if (ending == "the run completed")
        {
            // The run's completion hook (or an operator) got there first.
            using var runner = world.Runner();
            using var completed = await runner.PostAsync($"{Routes.Runs}/{world.Ci.RunId}/complete", null);
            completed.EnsureSuccessStatusCode();
        }
        else
        {
            world.Broker.Clock.Advance(Duration.FromMinutes(11));
            await world.Broker.Services.GetRequiredService<LeaseJobs>().SweepAsync();
        }

        var post = await job.RunPostAsync();
        var lease = await LeaseRows.AfterSweepAsync(world, leaseId);

        Assert.True(main.Run.ExitCode == 0, main.Run.ToString());
        Assert.Equal("2026-11-01T09:10:00Z", main.Env["SB_LEASE_EXPIRES_AT"]);
        Assert.True(post.Run.ExitCode == 0, post.Run.ToString());
        Assert.DoesNotContain("::error::", post.Run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", post.Run.Stderr);
        Assert.Equal(("revoked", reason), (lease.State, lease.RevokeReason));
    }

    [Fact]
    public async Task A_main_step_that_issues_a_lease_but_cannot_write_it_to_GITHUB_ENV_fails_and_still_leaves_it_to_post_to_revoke()
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());
        using var job = new GitHubActionJob(world.Ci.RunId, endpoint, With(world));

        // A full disk: every write to the file fails.
        var main = await job.RunMainAsync(new Dictionary<string, string> { ["GITHUB_ENV"] = "/dev/full" });
        var leaseId = main.State.GetValueOrDefault("lease_id");
        var post = await job.RunPostAsync();
        var lease = leaseId is null ? null : await LeaseRows.AfterSweepAsync(world, leaseId);

        Assert.Equal(1, main.Run.ExitCode);
        var error = Assert.Single(main.Run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: credential_unwritable: ", error, StringComparison.Ordinal);
        Assert.Contains($"lease '{leaseId}' was issued", error, StringComparison.Ordinal);
        Assert.Contains("::error::sbctl lease failed (exit 1); its error is above", main.Run.StdoutLines);
        Assert.Equal(1, LeaseRows.Count(world));
        Assert.NotNull(lease);
        Assert.True(post.Run.ExitCode == 0, post.Run.ToString());
        Assert.Equal(("revoked", RevokeReasons.RevokedByCaller), (lease.State, lease.RevokeReason));
        Assert.Empty(job.Exported);
    }

    [Fact]
    public async Task A_main_step_the_broker_refuses_fails_with_an_error_exports_and_saves_nothing_and_post_has_nothing_to_revoke()
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());
        using var job = new GitHubActionJob(world.Ci.RunId, endpoint, With(world, step: "build"));

        var main = await job.RunMainAsync();
        var post = await job.RunPostAsync();

        Assert.Equal(1, main.Run.ExitCode);
        Assert.StartsWith("error: policy_denied: ", Assert.Single(main.Run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Contains("::error::sbctl lease failed (exit 1); its error is above", main.Run.StdoutLines);
        Assert.Equal(("", "", ""), (main.GitHubEnv, main.GitHubState, main.GitHubOutput));
        Assert.Equal(0, post.Run.ExitCode);
        Assert.Equal(["no lease to revoke: the main step issued none"], post.Run.StdoutLines);
        Assert.Equal(0, LeaseRows.Count(world));
    }

    [Fact]
    public async Task A_missing_required_input_fails_the_main_step_before_sbctl_runs()
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());
        var with = With(world);
        with.Remove("role");
        using var job = new GitHubActionJob(world.Ci.RunId, endpoint, with);

        var main = await job.RunMainAsync();

        Assert.Equal(1, main.Run.ExitCode);
        Assert.Equal(["::error::the input 'role' is required"], main.Run.StdoutLines);
        Assert.Empty(endpoint.Audiences);
        Assert.Equal(0, LeaseRows.Count(world));
    }

    [GeneratedRegex(@"\binput\('(?<name>[^']+)'")]
    private static partial Regex InputRead();
}
