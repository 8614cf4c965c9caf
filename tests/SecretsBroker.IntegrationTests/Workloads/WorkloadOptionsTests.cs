using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretsBroker.Core.Identity;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>The Workloads section is checked at start: a bad value stops the broker with a message naming the key.</summary>
public sealed class WorkloadOptionsTests
{
    [Fact]
    public async Task No_trusted_issuers_is_a_valid_configuration_under_which_no_workload_authenticates()
    {
        using var github = CiTokenIssuer.GitHub();
        await using var broker = await TestBroker.StartAsync();

        var result = await broker.Services.GetRequiredService<IWorkloadTokenValidator>()
            .ValidateAsync(github.Mint(broker.Clock.GetCurrentInstant()), CancellationToken.None);

        Assert.False(broker.IsSealed);
        TokenCheck.Refused(result, "untrusted_issuer");
    }

    [Theory]
    [InlineData("Workloads:Issuers:0:JwksUrl", "https://token.actions.githubusercontent.com/.well-known/jwks", "Workloads:Issuers:0:JwksFile and Workloads:Issuers:0:JwksUrl: set exactly one.")]
    [InlineData("Workloads:Issuers:0:JwksFile", "", "Workloads:Issuers:0:JwksFile and Workloads:Issuers:0:JwksUrl: set exactly one.")]
    [InlineData("Workloads:Issuers:0:JwksFile", "/nonexistent/jwks.json", "Workloads:Issuers:0:JwksFile: no such file /nonexistent/jwks.json.")]
    [InlineData("Workloads:Issuers:0:Algorithms:0", "HS256", "Workloads:Issuers:0:Algorithms may hold only RS256 and ES256, not HS256.")]
    [InlineData("Workloads:Issuers:0:Algorithms:1", "none", "Workloads:Issuers:0:Algorithms may hold only RS256 and ES256, not none.")]
    [InlineData("Workloads:Issuers:0:Name", "GitHub Actions", "Workloads:Issuers:0:Name: The issuer name may hold only")]
    [InlineData("Workloads:Issuers:0:Name", "operator", "Workloads:Issuers:0:Name 'operator' is reserved for break-glass leases.")]
    [InlineData("Workloads:Issuers:0:Issuer", "", "Workloads:Issuers:0:Issuer is required")]
    [InlineData("Workloads:Issuers:0:Audience", "", "Workloads:Issuers:0:Audience is required")]
    [InlineData("Workloads:Issuers:0:Dialect", "jenkins", "Workloads:Issuers:0:Dialect must be one of: github, gitlab.")]
    [InlineData("Workloads:ClockSkewSeconds", "301", "Workloads:ClockSkewSeconds must be between 0 and 300.")]
    [InlineData("Workloads:MaxTokenBytes", "100", "Workloads:MaxTokenBytes must be between 1024 and 65536.")]
    [InlineData("Workloads:JwksRefreshSeconds", "0", "Workloads:JwksRefreshSeconds must be between 10 and 86400.")]
    public async Task A_bad_value_stops_the_broker_at_start_naming_the_key(string key, string value, string message)
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.Settings) { [key] = value };

        var failure = await StartFailsAsync(settings);

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_http_JWKS_URL_to_another_machine_stops_the_broker()
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.SettingsAt(0, new Uri("http://jwks.example.test/keys")));

        var failure = await StartFailsAsync(settings);

        Assert.Contains("Workloads:Issuers:0:JwksUrl must use https (plain http is allowed to a loopback address only).", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_issuers_with_the_same_name_or_iss_stop_the_broker()
    {
        using var first = CiTokenIssuer.GitHub();
        using var second = CiTokenIssuer.GitHub();

        var failure = await StartFailsAsync(CiTokenIssuer.SettingsFor(first, second));

        Assert.Contains("Workloads:Issuers:1:Name is already used by Workloads:Issuers:0.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Workloads:Issuers:1:Issuer is already used by Workloads:Issuers:0.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_without_a_secret_file_stops_the_broker()
    {
        using var github = CiTokenIssuer.GitHub();
        var settings = new Dictionary<string, string?>(github.Settings) { ["Workloads:Issuers:0:Webhook:SecretFile"] = " " };

        var failure = await StartFailsAsync(settings);

        Assert.Contains("Workloads:Issuers:0:Webhook:SecretFile must name the file holding the webhook's secret.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_secret_file_that_cannot_be_read_stops_the_broker()
    {
        using var github = CiTokenIssuer.GitHub();
        var missing = Path.Combine(Path.GetTempPath(), "sb-no-such-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>(github.Settings) { ["Workloads:Issuers:0:Webhook:SecretFile"] = missing };

        var failure = await StartFailsAsync(settings);

        Assert.Contains($"Workloads:Issuers:0:Webhook:SecretFile {missing} cannot be read.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_webhook_secret_stops_the_broker_without_the_message_quoting_it()
    {
        using var github = CiTokenIssuer.GitHub();
        var file = Path.Combine(Path.GetTempPath(), "sb-hook-" + Guid.NewGuid().ToString("N"));
        // Fifteen characters once the surrounding whitespace is trimmed: one short of the minimum.
        await File.WriteAllTextAsync(file, "  q7Zr2xK9mW4pL1v \n");
        try
        {
            var settings = new Dictionary<string, string?>(github.Settings) { ["Workloads:Issuers:0:Webhook:SecretFile"] = file };

            var failure = await StartFailsAsync(settings);

            Assert.Contains($"Workloads:Issuers:0:Webhook:SecretFile {file} must hold at least 16 characters.", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("q7Zr2xK9mW4pL1v", failure.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<OptionsValidationException> StartFailsAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sb-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            return await Assert.ThrowsAsync<OptionsValidationException>(() => TestBroker.StartAsync(new() { DataDirectory = folder, Settings = settings }));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
