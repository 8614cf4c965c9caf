using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// The GitLab CI/CD component in deploy/ci/gitlab run as GitLab runs a job that extends it (see
/// <see cref="GitLabJob"/>), against a real broker that trusts a GitLab-shaped issuer, with the published
/// sbctl and no .NET: before_script leases into the script's shell, the script fails, after_script revokes.
/// </summary>
public sealed class GitLabComponentTests
{
    private const string JobName = ".secretsbroker";

    private static Dictionary<string, string> Inputs(LeasingBroker world, CiTokenIssuer gitlab, string step = "deploy") => new(StringComparer.Ordinal)
    {
        ["address"] = world.Broker.Address.ToString().TrimEnd('/'),
        ["audience"] = gitlab.Audience,
        ["role"] = LeasingBroker.Role,
        ["step"] = step,
        ["purpose"] = "release",
    };

    /// <summary>A broker trusting <paramref name="gitlab"/> (after the GitHub issuer) whose policy lets its project lease deploy-api for step deploy.</summary>
    private static Task<LeasingBroker> StartAsync(CiTokenIssuer gitlab) =>
        LeasingBroker.StartAsync(
            settings: gitlab.SettingsAt(1),
            policyFor: repository => LeasingBroker.PolicyFor(repository) + $$"""
                  - name: gitlab-deploy
                    issuer: {{gitlab.Name}}
                    claims: { project_path: "{{gitlab.Repository}}", ref_protected: "true" }
                    roles: [{{LeasingBroker.Role}}]
                    steps: [deploy]
                    purposes: [release]

                """);

    private static GitLabJob Job(LeasingBroker world, CiTokenIssuer gitlab, string step = "deploy") =>
        new(
            GitLabComponent.Load(RepositoryFiles.GitLabComponent).Job(JobName, Inputs(world, gitlab, step)),
            gitlab.RunId,
            gitlab.JobId,
            gitlab.Repository,
            audience => gitlab.Mint(world.Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["aud"] = audience }));

    [Fact]
    public void The_component_parses_declares_its_inputs_and_fills_them_into_the_id_token_audience_and_the_variables()
    {
        var component = GitLabComponent.Load(RepositoryFiles.GitLabComponent);
        var given = new Dictionary<string, string>
        {
            ["address"] = "https://broker.example.test",
            ["audience"] = "https://broker.example.test/aud",
            ["role"] = "deploy-api",
            ["step"] = "deploy",
            ["purpose"] = "release",
        };

        var job = component.Job(JobName, given);

        Assert.Equal(
            new Dictionary<string, string?> { ["address"] = null, ["audience"] = null, ["role"] = null, ["step"] = null, ["purpose"] = null, ["ttl"] = "", ["sbctl"] = "sbctl" },
            component.Inputs);
        Assert.Equal(new Dictionary<string, string> { ["SECRETSBROKER_OIDC_TOKEN"] = "https://broker.example.test/aud" }, job.IdTokenAudiences);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["SECRETSBROKER_ADDR"] = "https://broker.example.test",
                ["SECRETSBROKER_LEASE_ROLE"] = "deploy-api",
                ["SECRETSBROKER_LEASE_STEP"] = "deploy",
                ["SECRETSBROKER_LEASE_PURPOSE"] = "release",
                ["SECRETSBROKER_LEASE_TTL"] = "",
                ["SECRETSBROKER_SBCTL"] = "sbctl",
            },
            job.Variables);
        Assert.NotEmpty(job.BeforeScript);
        Assert.NotEmpty(job.AfterScript);
        // Inputs reach the scripts as variables only, so no value is ever pasted into a shell command.
        Assert.All(job.BeforeScript.Concat(job.AfterScript), line => Assert.DoesNotContain("$[[", line, StringComparison.Ordinal));
        Assert.Throws<InvalidDataException>(() => component.Job(JobName, given.Where(input => input.Key != "role").ToDictionary()));
    }

    [Fact]
    public async Task A_job_whose_script_fails_saw_the_SB_variables_and_after_script_in_a_new_shell_revokes_the_lease_and_leaves_no_file()
    {
        using var gitlab = CiTokenIssuer.GitLab();
        await using var world = await StartAsync(gitlab);
        using var job = Job(world, gitlab);
        var sbDir = Path.Combine(job.TempDir, $"secretsbroker-{gitlab.JobId}");

        var script = await job.RunScriptAsync(
            """test -n "$SB_TOKEN" && test "$SB_TOKEN_TYPE" = Bearer""",
            """printf '%s' "$SB_LEASE_ID" > "$CI_PROJECT_DIR/lease-id-seen" """,
            """printf '%s' "$SB_TOKEN" > "$CI_PROJECT_DIR/token-seen" """,
            """ls -A "$TMPDIR/secretsbroker-$CI_JOB_ID" > "$CI_PROJECT_DIR/left-for-after-script" """,
            "echo 'the deployment failed' >&2",
            "exit 1");
        var leaseId = await File.ReadAllTextAsync(Path.Combine(job.ProjectDir, "lease-id-seen"));
        var token = await File.ReadAllTextAsync(Path.Combine(job.ProjectDir, "token-seen"));
        var seenDuringTheJob = await world.IntrospectAsync(token);
        var afterScript = await job.RunAfterScriptAsync();
        var seenAfterTheJob = await world.IntrospectAsync(token);
        var lease = await LeaseRows.AfterSweepAsync(world, leaseId);
        var log = script.Stdout + script.Stderr + afterScript.Stdout + afterScript.Stderr;

        Assert.Equal(1, script.ExitCode);
        Assert.Contains("the deployment failed", script.Stderr, StringComparison.Ordinal);
        Assert.True(seenDuringTheJob.Active);
        Assert.Equal((leaseId, gitlab.RunId, "deploy", "release"), (seenDuringTheJob.Subject, seenDuringTheJob.Run, seenDuringTheJob.Step, seenDuringTheJob.Purpose));
        // Only the lease id was left for after_script: the env file was removed once sourced.
        Assert.Equal("lease-id\n", await File.ReadAllTextAsync(Path.Combine(job.ProjectDir, "left-for-after-script")));
        Assert.True(afterScript.ExitCode == 0, afterScript.ToString());
        Assert.StartsWith($"lease '{leaseId}' revoked (state ", Assert.Single(afterScript.StdoutLines), StringComparison.Ordinal);
        Assert.False(seenAfterTheJob.Active);
        Assert.Equal(("revoked", RevokeReasons.RevokedByCaller, gitlab.JobId), (lease.State, lease.RevokeReason, lease.Job));
        Assert.False(Directory.Exists(sbDir));
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
        Assert.DoesNotContain(job.Variables["SECRETSBROKER_OIDC_TOKEN"], log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ttl_input_sets_the_lease_lifetime()
    {
        using var gitlab = CiTokenIssuer.GitLab();
        await using var world = await StartAsync(gitlab);
        var inputs = Inputs(world, gitlab);
        inputs["ttl"] = "2m";
        using var job = new GitLabJob(
            GitLabComponent.Load(RepositoryFiles.GitLabComponent).Job(JobName, inputs), gitlab.RunId, gitlab.JobId, gitlab.Repository,
            audience => gitlab.Mint(world.Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["aud"] = audience }));

        var script = await job.RunScriptAsync("""printf '%s' "$SB_LEASE_EXPIRES_AT" > "$CI_PROJECT_DIR/expires" """);

        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Equal("2026-11-01T09:02:00Z", await File.ReadAllTextAsync(Path.Combine(job.ProjectDir, "expires")));
    }

    [Fact]
    public async Task A_lease_the_broker_refuses_ends_the_job_before_its_script_and_after_script_cleans_up_with_nothing_to_revoke()
    {
        using var gitlab = CiTokenIssuer.GitLab();
        await using var world = await StartAsync(gitlab);
        using var job = Job(world, gitlab, step: "build");

        var script = await job.RunScriptAsync("""touch "$CI_PROJECT_DIR/script-ran" """);
        var afterScript = await job.RunAfterScriptAsync();

        Assert.NotEqual(0, script.ExitCode);
        Assert.StartsWith("error: policy_denied: ", Assert.Single(script.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(job.ProjectDir, "script-ran")));
        Assert.Equal(0, afterScript.ExitCode);
        Assert.Equal("", afterScript.Stdout + afterScript.Stderr);
        Assert.False(Directory.Exists(Path.Combine(job.TempDir, $"secretsbroker-{gitlab.JobId}")));
        Assert.Equal(0, LeaseRows.Count(world));
    }
}
