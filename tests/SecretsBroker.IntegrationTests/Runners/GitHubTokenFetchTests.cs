using System.Text.Json;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// In a GitHub Actions job given no token, sbctl asks the runner's token endpoint for one itself: with the
/// request token as the bearer and the broker's audience in the query. Every way the job's environment
/// can be wrong ends with one error line and a stable code, before any lease exists.
/// </summary>
public sealed class GitHubTokenFetchTests
{
    private const string RequestUrlVariable = "ACTIONS_ID_TOKEN_REQUEST_URL";
    private const string RequestTokenVariable = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

    private static string[] Lease(LeasingBroker world, params string[] more) =>
        ["lease", "--role", LeasingBroker.Role, "--run", world.Ci.RunId, "--step", "deploy", "--purpose", "smoke", "--format", "json", .. more];

    private static CiJobShell GitHubJob(LeasingBroker world, GitHubTokenEndpoint endpoint) =>
        CiJobShell.Against(world).Set(RequestUrlVariable, endpoint.Url.ToString()).Set(RequestTokenVariable, endpoint.RequestToken);

    [Fact]
    public async Task With_no_token_given_sbctl_gets_one_from_the_runners_endpoint_for_the_audience_flag_and_leases_with_it()
    {
        await using var world = await LeasingBroker.StartAsync();
        var minted = new List<string>();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () =>
        {
            var token = world.TokenFor();
            minted.Add(token);
            return token;
        });

        var leased = await GitHubJob(world, endpoint).SbctlAsync(Lease(world, "--audience", world.Ci.Audience));
        var issued = JsonSerializer.Deserialize<IssuedLeaseResponse>(leased.Stdout, JsonSerializerOptions.Web)!;

        Assert.True(leased.ExitCode == 0, leased.Stderr);
        Assert.Equal([world.Ci.Audience], endpoint.Audiences);
        Assert.Single(minted);
        Assert.Equal((world.Ci.RunId, world.Ci.JobId, "active"), (issued.Lease.Run, issued.Lease.Job, issued.Lease.State));
        Assert.True((await world.IntrospectAsync(issued.Credential["token"])).Active);
        Assert.DoesNotContain(minted[0], leased.Stdout + leased.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(endpoint.RequestToken, leased.Stdout + leased.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SECRETSBROKER_AUDIENCE_names_the_audience_when_no_flag_does()
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());

        var leased = await GitHubJob(world, endpoint).Set("SECRETSBROKER_AUDIENCE", world.Ci.Audience).SbctlAsync(Lease(world));

        Assert.True(leased.ExitCode == 0, leased.Stderr);
        Assert.Equal([world.Ci.Audience], endpoint.Audiences);
        Assert.Equal(1, LeaseRows.Count(world));
    }

    [Fact]
    public async Task A_token_in_SECRETSBROKER_OIDC_TOKEN_is_used_as_given_and_the_endpoint_is_never_asked()
    {
        await using var world = await LeasingBroker.StartAsync();
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () => world.TokenFor());

        var leased = await GitHubJob(world, endpoint).Set(CiJobShell.OidcTokenVariable, world.TokenFor()).SbctlAsync(Lease(world, "--audience", world.Ci.Audience));

        Assert.True(leased.ExitCode == 0, leased.Stderr);
        Assert.Empty(endpoint.Audiences);
    }

    [Theory]
    [InlineData("wrong request token", "oidc_request_refused", 1, "(refused)")]
    [InlineData("wrong audience", "oidc_request_refused", 1, "https://elsewhere.example.test")]
    [InlineData("no audience", "missing_audience", 2, null)]
    [InlineData("request url over plain http to another host", "invalid_oidc_request_url", 2, null)]
    [InlineData("request url without the request token", "missing_oidc_token", 2, null)]
    [InlineData("endpoint answers without a value", "oidc_response_invalid", 1, "https://secretsbroker.example.test")]
    [InlineData("endpoint not listening", "oidc_request_failed", 1, null)]
    public async Task A_wrong_or_missing_part_of_the_jobs_token_environment_fails_with_one_error_line_its_code_and_no_lease(
        string fault, string code, int exitCode, string? audienceAsked)
    {
        await using var world = await LeasingBroker.StartAsync();
        var minted = new List<string>();
        Func<string>? answer = fault == "endpoint answers without a value" ? () => """{"count": 1, "token": "x"}""" : null;
        await using var endpoint = await GitHubTokenEndpoint.StartAsync(world.Ci.Audience, () =>
        {
            var token = world.TokenFor();
            minted.Add(token);
            return token;
        }, answer);
        var job = GitHubJob(world, endpoint);
        string[] audience = ["--audience", world.Ci.Audience];
        switch (fault)
        {
            case "wrong request token":
                job.Set(RequestTokenVariable, "ghs_" + Guid.NewGuid().ToString("N"));
                break;
            case "wrong audience":
                audience = ["--audience", "https://elsewhere.example.test"];
                break;
            case "no audience":
                audience = [];
                break;
            case "request url over plain http to another host":
                job.Set(RequestUrlVariable, "http://token.actions.example.test/_apis/actions/idtoken?api-version=2.0");
                break;
            case "request url without the request token":
                job.Set(RequestTokenVariable, "");
                break;
            case "endpoint not listening":
                job.Set(RequestUrlVariable, $"http://127.0.0.1:{ClosedPort()}/_apis/actions/idtoken?api-version=2.0");
                break;
        }

        var refused = await job.SbctlAsync(Lease(world, audience));

        Assert.Equal(exitCode, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith($"error: {code}: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(audienceAsked is null ? [] : [audienceAsked], endpoint.Audiences.ToArray());
        Assert.DoesNotContain(endpoint.RequestToken, refused.Stderr, StringComparison.Ordinal);
        Assert.All(minted, token => Assert.DoesNotContain(token, refused.Stderr, StringComparison.Ordinal));
        Assert.Equal(0, LeaseRows.Count(world));
    }

    /// <summary>A loopback port nothing listens on: one the system just handed out and that was closed again.</summary>
    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
