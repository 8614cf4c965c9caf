using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Core.Identity;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

public sealed class WorkloadTokenAcceptanceTests
{
    [Fact]
    public async Task A_valid_GitHub_token_gives_the_identity_of_its_run_and_job()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();
        var now = broker.Clock.GetCurrentInstant();

        var identity = TokenCheck.Accepted(await validator.ValidateAsync(github.Mint(now, lifetime: Duration.FromMinutes(10)), CancellationToken.None));

        Assert.Equal("github", identity.Issuer);
        Assert.Equal($"repo:{github.Repository}:environment:production", identity.Subject);
        Assert.Equal(github.RunId, identity.RunId);
        Assert.Equal(github.JobId, identity.JobId);
        Assert.Equal(Instant.FromUnixTimeSeconds((now + Duration.FromMinutes(10)).ToUnixTimeSeconds()), identity.TokenExpiresAt);
        Assert.Equal(github.Repository, identity.Claims["repository"]);
        Assert.Equal("refs/heads/main", identity.Claims["ref"]);
        Assert.Equal("production", identity.Claims["environment"]);
        Assert.Equal("deploy", identity.Claims["workflow"]);
        Assert.Equal("self-hosted", identity.Claims["runner_environment"]);
        Assert.Equal(CiTokenIssuer.GitHubIssuer, identity.Claims["iss"]);
        Assert.Equal($"workload:github:repo:{github.Repository}:environment:production", identity.Actor);
    }

    [Fact]
    public async Task A_valid_GitLab_token_gives_the_identity_of_its_pipeline_and_job()
    {
        using var gitlab = CiTokenIssuer.GitLab();
        await using var broker = await TestBroker.StartAsync(new() { Settings = gitlab.Settings });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();

        var token = gitlab.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["pipeline_id"] = "88120", ["job_id"] = "9911" });
        var identity = TokenCheck.Accepted(await validator.ValidateAsync(token, CancellationToken.None));

        Assert.Equal("gitlab", identity.Issuer);
        Assert.Equal($"project_path:{gitlab.Repository}:ref_type:branch:ref:main", identity.Subject);
        Assert.Equal("88120", identity.RunId);
        Assert.Equal("9911", identity.JobId);
        Assert.Equal(gitlab.Repository, identity.Claims["project_path"]);
        Assert.Equal("main", identity.Claims["ref"]);
        Assert.Equal("true", identity.Claims["ref_protected"]);
    }

    [Fact]
    public async Task An_ES256_token_is_accepted_like_an_RS256_one()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();

        var identity = TokenCheck.Accepted(await validator.ValidateAsync(github.Mint(broker.Clock.GetCurrentInstant(), algorithm: "ES256"), CancellationToken.None));

        Assert.Equal(github.RunId, identity.RunId);
    }

    [Fact]
    public async Task Number_and_boolean_claims_become_strings_and_arrays_and_objects_are_left_out()
    {
        using var gitlab = CiTokenIssuer.GitLab();
        await using var broker = await TestBroker.StartAsync(new() { Settings = gitlab.Settings });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();
        var claims = new Dictionary<string, object?>
        {
            ["pipeline_id"] = 88120L,
            ["runner_id"] = 17,
            ["ref_protected"] = true,
            ["environment_protected"] = false,
            ["groups_direct"] = new[] { "acme", "acme/platform" },
            ["extra"] = new Dictionary<string, string> { ["nested"] = "value" },
        };

        var identity = TokenCheck.Accepted(await validator.ValidateAsync(gitlab.Mint(broker.Clock.GetCurrentInstant(), claims), CancellationToken.None));

        Assert.Equal("88120", identity.RunId);
        Assert.Equal("17", identity.Claims["runner_id"]);
        Assert.Equal("true", identity.Claims["ref_protected"]);
        Assert.Equal("false", identity.Claims["environment_protected"]);
        Assert.Equal(broker.Clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(), identity.Claims["iat"]);
        Assert.False(identity.Claims.ContainsKey("groups_direct"));
        Assert.False(identity.Claims.ContainsKey("extra"));
    }

    [Fact]
    public async Task A_GitHub_token_without_check_run_id_has_a_run_but_no_job()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["check_run_id"] = null });
        var identity = TokenCheck.Accepted(await validator.ValidateAsync(token, CancellationToken.None));

        Assert.Equal(github.RunId, identity.RunId);
        Assert.Null(identity.JobId);
    }

    [Fact]
    public async Task RunClaim_and_JobClaim_overrides_choose_where_the_run_and_job_come_from()
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.Settings)
        {
            ["Workloads:Issuers:0:RunClaim"] = "run_number",
            ["Workloads:Issuers:0:JobClaim"] = "run_attempt",
        };
        await using var broker = await TestBroker.StartAsync(new() { Settings = settings });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["run_number"] = "512", ["run_attempt"] = "3" });
        var identity = TokenCheck.Accepted(await validator.ValidateAsync(token, CancellationToken.None));

        Assert.Equal("512", identity.RunId);
        Assert.Equal("3", identity.JobId);
    }

    [Fact]
    public async Task Tokens_of_two_trusted_issuers_are_told_apart_by_their_iss()
    {
        using var github = CiTokenIssuer.GitHub();
        using var gitlab = CiTokenIssuer.GitLab();
        await using var broker = await TestBroker.StartAsync(new() { Settings = CiTokenIssuer.SettingsFor(github, gitlab) });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();
        var now = broker.Clock.GetCurrentInstant();

        var fromGitHub = TokenCheck.Accepted(await validator.ValidateAsync(github.Mint(now), CancellationToken.None));
        var fromGitLab = TokenCheck.Accepted(await validator.ValidateAsync(gitlab.Mint(now, algorithm: "ES256"), CancellationToken.None));

        Assert.Equal("github", fromGitHub.Issuer);
        Assert.Equal(github.RunId, fromGitHub.RunId);
        Assert.Equal("gitlab", fromGitLab.Issuer);
        Assert.Equal(gitlab.RunId, fromGitLab.RunId);
    }

    [Fact]
    public async Task A_token_signed_by_the_other_trusted_issuer_is_refused_even_with_a_matching_iss()
    {
        using var github = CiTokenIssuer.GitHub();
        using var gitlab = CiTokenIssuer.GitLab();
        await using var broker = await TestBroker.StartAsync(new() { Settings = CiTokenIssuer.SettingsFor(github, gitlab) });
        var validator = broker.Services.GetRequiredService<IWorkloadTokenValidator>();

        // GitLab's key signs a token claiming to come from GitHub: only GitHub's keys may vouch for it.
        var token = gitlab.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["iss"] = CiTokenIssuer.GitHubIssuer, ["run_id"] = "1" });

        TokenCheck.Refused(await validator.ValidateAsync(token, CancellationToken.None), "unknown_key");
    }
}
