using System.Text;
using NodaTime;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>Every way a workload token is refused, each with its own reason.</summary>
public sealed class WorkloadTokenRefusalTests
{
    [Fact]
    public async Task An_alg_none_token_is_refused_as_algorithm_not_allowed()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.MintUnsigned(broker.Clock.GetCurrentInstant());

        Assert.EndsWith(".", token, StringComparison.Ordinal);
        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "algorithm_not_allowed");
    }

    [Fact]
    public async Task An_alg_none_token_naming_a_published_kid_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), algorithm: "none", kid: github.RsaKeyId);

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "algorithm_not_allowed");
    }

    [Fact]
    public async Task An_HS256_token_is_refused_even_when_the_JWKS_holds_its_symmetric_key()
    {
        using var github = CiTokenIssuer.GitHub();
        github.PublishSymmetricKey = true;
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.MintHs256(broker.Clock.GetCurrentInstant());

        Assert.Contains(github.HmacKeyId, await File.ReadAllTextAsync(github.JwksPath), StringComparison.Ordinal);
        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "algorithm_not_allowed");
    }

    [Fact]
    public async Task A_symmetric_key_in_the_JWKS_is_never_taken_as_a_signing_key()
    {
        using var github = CiTokenIssuer.GitHub();
        github.PublishSymmetricKey = true;
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        // An allowed algorithm naming the oct key's id: the key must simply not exist for the broker.
        var token = github.Mint(broker.Clock.GetCurrentInstant(), kid: github.HmacKeyId);

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "unknown_key");
        Assert.Contains("1 skipped", broker.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_algorithm_the_issuer_is_not_configured_for_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.Settings) { ["Workloads:Issuers:0:Algorithms:0"] = "RS256" };
        await using var broker = await TestBroker.StartAsync(new() { Settings = settings });
        var now = broker.Clock.GetCurrentInstant();

        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(now, algorithm: "RS256")));
        TokenCheck.Refused(await broker.ValidateTokenAsync(github.Mint(now, algorithm: "ES256")), "algorithm_not_allowed");
    }

    [Fact]
    public async Task A_token_naming_an_unknown_kid_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), kid: "rsa-never-published");

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "unknown_key");
    }

    [Fact]
    public async Task A_token_without_a_kid_is_refused_rather_than_tried_against_every_key()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), kid: CiTokenIssuer.NoKeyId);

        Assert.DoesNotContain("kid", Header(token), StringComparison.Ordinal);
        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "unknown_key");
    }

    [Fact]
    public async Task A_token_signed_by_another_key_under_a_published_kid_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        using var impostor = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = impostor.Mint(broker.Clock.GetCurrentInstant(), kid: github.RsaKeyId);

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "bad_signature");
    }

    [Fact]
    public async Task A_token_whose_claims_were_changed_after_signing_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var now = broker.Clock.GetCurrentInstant();
        var genuine = github.Mint(now).Split('.');
        var other = github.Mint(now, new Dictionary<string, object?> { ["repository"] = "acme/crown-jewels" }).Split('.');

        var spliced = $"{genuine[0]}.{other[1]}.{genuine[2]}";

        TokenCheck.Refused(await broker.ValidateTokenAsync(spliced), "bad_signature");
    }

    [Fact]
    public async Task A_token_from_an_untrusted_issuer_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        using var stranger = CiTokenIssuer.GitHub(issuer: "https://token.actions.example.test");
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = stranger.Mint(broker.Clock.GetCurrentInstant());

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "untrusted_issuer");
    }

    [Fact]
    public async Task An_issuer_differing_only_by_a_trailing_slash_is_untrusted()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["iss"] = CiTokenIssuer.GitHubIssuer + "/" });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "untrusted_issuer");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["aud"] = "https://github.com/acme" });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "wrong_audience");
    }

    [Fact]
    public async Task An_audience_differing_only_by_a_trailing_slash_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["aud"] = CiTokenIssuer.DefaultAudience + "/" });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "wrong_audience");
    }

    [Fact]
    public async Task A_token_without_an_audience_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["aud"] = null });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "wrong_audience");
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant() - Duration.FromMinutes(10), lifetime: Duration.FromMinutes(5));

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "expired");
    }

    [Fact]
    public async Task A_token_not_valid_yet_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant() + Duration.FromMinutes(2));

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "not_yet_valid");
    }

    [Fact]
    public async Task A_token_without_exp_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["exp"] = null });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "missing_exp");
    }

    [Fact]
    public async Task A_token_larger_than_MaxTokenBytes_is_refused_before_it_is_parsed()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        // Not even a JWT: were it parsed first, the answer would be "malformed".
        var token = new string('a', 8193);

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "token_too_large");
    }

    [Fact]
    public async Task A_genuine_token_grown_past_MaxTokenBytes_by_its_claims_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.Settings) { ["Workloads:MaxTokenBytes"] = "2048" };
        await using var broker = await TestBroker.StartAsync(new() { Settings = settings });
        var now = broker.Clock.GetCurrentInstant();

        var token = github.Mint(now, new Dictionary<string, object?> { ["padding"] = new string('x', 1500) });

        Assert.True(Encoding.UTF8.GetByteCount(token) > 2048);
        TokenCheck.Accepted(await broker.ValidateTokenAsync(github.Mint(now)));
        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "token_too_large");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJub3QganNvbg.c2ln")]
    [InlineData("one.two.three.four.five")]
    public async Task A_malformed_token_is_refused(string token)
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "malformed");
    }

    [Fact]
    public async Task A_GitHub_token_without_run_id_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["run_id"] = null });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "missing_run_claim");
    }

    [Fact]
    public async Task A_GitLab_token_without_pipeline_id_is_refused()
    {
        using var gitlab = CiTokenIssuer.GitLab();
        await using var broker = await TestBroker.StartAsync(new() { Settings = gitlab.Settings });

        // run_id is a GitHub claim: it must not stand in for GitLab's pipeline_id.
        var token = gitlab.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["pipeline_id"] = null, ["run_id"] = "42" });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "missing_run_claim");
    }

    [Fact]
    public async Task A_token_without_a_subject_is_refused()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });

        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["sub"] = null });

        TokenCheck.Refused(await broker.ValidateTokenAsync(token), "missing_subject");
    }

    [Fact]
    public async Task A_refusal_never_repeats_the_token_in_its_message_or_the_logs()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync(new() { Settings = github.Settings });
        var token = github.Mint(broker.Clock.GetCurrentInstant(), new Dictionary<string, object?> { ["aud"] = "https://elsewhere.example.test" });
        var signature = token.Split('.')[2];

        var error = TokenCheck.Refused(await broker.ValidateTokenAsync(token), "wrong_audience");

        Assert.DoesNotContain(signature, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("elsewhere", error.Message, StringComparison.Ordinal);
        Assert.Contains("Workload token refused (issuer github): wrong_audience", broker.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, broker.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], broker.Logs.All, StringComparison.Ordinal);
    }


    private static string Header(string token) =>
        Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]));
}
