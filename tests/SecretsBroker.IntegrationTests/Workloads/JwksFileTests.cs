using NodaTime;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>Keys from a JWKS file (air-gapped sites): changes are picked up without a restart, a bad file keeps the last good keys.</summary>
public sealed class JwksFileTests
{
    [Fact]
    public async Task A_key_added_to_the_JWKS_file_is_picked_up_without_a_restart()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var oldKid = github.RsaKeyId;
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));

        var newKid = github.RotateRsaKey(keepOld: true);
        var token = github.Mint(broker.Clock.GetCurrentInstant());

        Assert.NotEqual(oldKid, newKid);
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), kid: oldKid)));
    }

    [Fact]
    public async Task A_key_removed_from_the_JWKS_file_stops_validating_even_a_token_already_accepted()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant());
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));

        github.RotateRsaKey(keepOld: false);

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "unknown_key");
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));
    }

    [Fact]
    public async Task A_broken_JWKS_file_keeps_the_last_good_keys_and_says_so_in_the_log()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant());
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));

        await File.WriteAllTextAsync(github.JwksPath, "{ \"keys\": [ this is not json");
        broker.Clock.Advance(Duration.FromSeconds(1));
        var other = github.Mint(broker.Clock.GetCurrentInstant(), algorithm: "ES256");

        TokenCheck.Accepted(await broker.ValidateTokenAsync(other));
        TokenCheck.Accepted(await broker.ValidateTokenAsync(token));
        Assert.Contains("Could not refresh the signing keys of issuer github from its JWKS file (not a JWKS document); keeping the last good key set (2 keys)", broker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_material_never_reaches_the_log()
    {
        using var github = CiTokenIssuer.GitHub();
        github.PublishSymmetricKey = true;
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant())));
        github.RotateEcKey();
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(broker.Clock.GetCurrentInstant(), algorithm: "ES256")));

        Assert.Contains("Loaded the signing keys of issuer github from its JWKS file: 2 usable, 1 skipped", broker.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(github.HmacSecret)[..16], broker.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(System.Buffers.Text.Base64Url.EncodeToString(github.HmacSecret)[..16], broker.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("\"n\"", broker.Logs.All, StringComparison.Ordinal);
    }
}
