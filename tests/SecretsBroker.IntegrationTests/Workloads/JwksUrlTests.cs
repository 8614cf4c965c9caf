using NodaTime;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>Keys from a JWKS URL (served here on 127.0.0.1): fetched, refreshed, re-fetched on a new kid, kept when the URL is down.</summary>
public sealed class JwksUrlTests
{
    private static readonly Duration UnknownKeyRefresh = Duration.FromSeconds(30);

    [Fact]
    public async Task Keys_are_fetched_from_the_JWKS_URL_at_start()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, jwks.Url) });

        Assert.Equal(1, jwks.Requests);
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), algorithm: "ES256")));
        Assert.Equal(1, jwks.Requests);
    }

    [Fact]
    public async Task A_new_kid_is_picked_up_after_rotation_without_a_restart()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, jwks.Url) });
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));

        github.RotateRsaKey(keepOld: false);
        broker.Clock.Advance(UnknownKeyRefresh);
        var token = github.Mint(broker.Clock.GetCurrentInstant());

        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        Assert.Equal(2, jwks.Requests);
    }

    [Fact]
    public async Task Unknown_kids_fetch_the_JWKS_again_at_most_once_per_interval()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, jwks.Url) });
        broker.Clock.Advance(UnknownKeyRefresh);

        for (var i = 0; i < 5; i++)
        {
            TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), kid: $"made-up-{i}")), "unknown_key");
        }

        Assert.Equal(2, jwks.Requests);
        broker.Clock.Advance(UnknownKeyRefresh);
        TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), kid: "made-up-again")), "unknown_key");
        Assert.Equal(3, jwks.Requests);
    }

    [Fact]
    public async Task A_rotated_key_is_not_fetched_before_the_unknown_key_interval_has_passed()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, jwks.Url) });

        github.RotateRsaKey();
        var token = github.Mint(broker.Clock.GetCurrentInstant());

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "unknown_key");
        Assert.Equal(1, jwks.Requests);
        broker.Clock.Advance(UnknownKeyRefresh);
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
    }

    [Fact]
    public async Task The_key_set_is_fetched_again_every_JwksRefreshSeconds_so_a_withdrawn_key_stops_working()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        var settings = new Dictionary<string, string?>(github.SettingsAt(0, jwks.Url)) { ["Workloads:JwksRefreshSeconds"] = "120" };
        await using var broker = await TestBroker.StartAsync(new() { Settings = settings });
        var oldKid = github.RsaKeyId;
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));

        github.RotateRsaKey(keepOld: false);
        broker.Clock.Advance(Duration.FromSeconds(119));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), kid: oldKid)));
        Assert.Equal(1, jwks.Requests);
        broker.Clock.Advance(Duration.FromSeconds(1));

        TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), kid: oldKid)), "unknown_key");
        Assert.Equal(2, jwks.Requests);
    }

    [Fact]
    public async Task When_the_JWKS_URL_is_down_the_last_good_keys_are_kept()
    {
        using var github = CiTokenIssuer.GitHub();
        var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, jwks.Url) });
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));

        await jwks.StopAsync();
        broker.Clock.Advance(Duration.FromSeconds(300));
        var token = github.Mint(broker.Clock.GetCurrentInstant());

        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), kid: "made-up")), "unknown_key");
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), algorithm: "ES256")));
        Assert.Contains("Could not refresh the signing keys of issuer github from its JWKS URL", broker.Logs.All, StringComparison.Ordinal);
        Assert.Contains("keeping the last good key set (2 keys)", broker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JWKS_URL_answering_with_an_error_or_garbage_keeps_the_last_good_keys()
    {
        using var github = CiTokenIssuer.GitHub();
        var answer = github.JwksJson;
        await using var jwks = await JwksServer.StartAsync(() => answer);
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, jwks.Url) });

        answer = "<html>Bad gateway</html>";
        broker.Clock.Advance(Duration.FromSeconds(300));

        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));
        Assert.Equal(2, jwks.Requests);
        Assert.Contains("from its JWKS URL (not a JWKS document); keeping the last good key set (2 keys)", broker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_could_not_fetch_keys_at_start_refuses_tokens_as_keys_unavailable()
    {
        using var github = CiTokenIssuer.GitHub();
        var jwks = await JwksServer.StartAsync(() => github.JwksJson);
        var url = jwks.Url;
        await jwks.StopAsync();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.SettingsAt(0, url) });

        TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())), "keys_unavailable");
    }
}
