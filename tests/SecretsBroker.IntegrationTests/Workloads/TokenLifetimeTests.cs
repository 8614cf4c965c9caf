using NodaTime;
using SecretsBroker.Core.Identity;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>Token lifetimes judged by the broker's clock (a FakeClock here), within the configured skew, cached or not.</summary>
public sealed class TokenLifetimeTests
{
    [Fact]
    public async Task A_token_29_seconds_past_exp_is_accepted_with_30_seconds_skew()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant(), lifetime: Duration.FromMinutes(5));

        broker.Clock.Advance(Duration.FromMinutes(5) + Duration.FromSeconds(29));

        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
    }

    [Fact]
    public async Task A_token_31_seconds_past_exp_is_refused_with_30_seconds_skew()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant(), lifetime: Duration.FromMinutes(5));

        broker.Clock.Advance(Duration.FromMinutes(5) + Duration.FromSeconds(31));

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "expired");
    }

    [Fact]
    public async Task A_token_whose_nbf_is_29_seconds_ahead_is_accepted_and_31_seconds_ahead_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var now = broker.Clock.GetCurrentInstant();

        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(now + Duration.FromSeconds(29))));
        TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(now + Duration.FromSeconds(31))), "not_yet_valid");
    }

    [Fact]
    public async Task ClockSkewSeconds_sets_the_tolerance()
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.Settings) { ["Workloads:ClockSkewSeconds"] = "120" };
        await using var broker = await TestBroker.StartAsync(new() { Settings = settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant(), lifetime: Duration.FromMinutes(5));

        broker.Clock.Advance(Duration.FromMinutes(5) + Duration.FromSeconds(119));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        broker.Clock.Advance(Duration.FromSeconds(2));
        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "expired");
    }

    [Fact]
    public async Task A_cached_token_is_refused_once_the_broker_clock_passes_its_expiry()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant(), lifetime: Duration.FromSeconds(40));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));

        broker.Clock.Advance(Duration.FromSeconds(20));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        broker.Clock.Advance(Duration.FromSeconds(51));

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "expired");
    }

    [Fact]
    public async Task A_token_used_again_and_again_gives_the_same_identity_each_time()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant(), lifetime: Duration.FromMinutes(10));

        var first = TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        var identities = new List<WorkloadIdentity>();
        for (var step = 0; step < 12; step++)
        {
            broker.Clock.Advance(Duration.FromSeconds(30));
            identities.Add(TokenCheck.Accepted(await broker.ValidateTokenAsync(token)));
        }

        Assert.All(identities, i => Assert.Equal((first.Issuer, first.Subject, first.RunId, first.JobId, first.TokenExpiresAt), (i.Issuer, i.Subject, i.RunId, i.JobId, i.TokenExpiresAt)));
    }
}
