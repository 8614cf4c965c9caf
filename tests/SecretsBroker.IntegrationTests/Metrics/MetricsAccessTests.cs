using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretsBroker.Server.Metrics;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Metrics;

/// <summary>Who may scrape, and where: the bearer token of <c>Metrics:TokenFile</c>, and the separate listener of <c>Metrics:Urls</c>.</summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task With_a_token_file_a_scrape_without_the_token_gets_401_problem_json_and_with_it_200()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "scrape-token-0123456789abcdef\n");
        try
        {
            await using var broker = await TestBroker.StartAsync(new TestBrokerOptions { Settings = new Dictionary<string, string?> { ["Metrics:TokenFile"] = file } });
            using var client = broker.Client();

            using (var anonymous = await client.GetAsync("/metrics"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
                Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
                Assert.Contains("\"unauthenticated\"", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.DoesNotContain("secretsbroker_", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            foreach (var wrong in new[] { "scrape-token-0123456789abcdeX", "scrape-token-0123456789abcde", broker.AdminToken! })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong);
                using var refused = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            var scrape = await Scrape.OfAsync(broker.Address, "scrape-token-0123456789abcdef");
            Assert.Equal(0, scrape.Value("secretsbroker_sealed"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task With_metrics_urls_the_metrics_listener_serves_the_figures_and_the_api_address_does_not()
    {
        await using var broker = await TestBroker.StartAsync(new TestBrokerOptions { Settings = new Dictionary<string, string?> { ["Metrics:Urls"] = "http://127.0.0.1:0" } });
        var listener = new Uri(Assert.Single(broker.Services.GetRequiredService<MetricsListener>().Addresses));
        Assert.NotEqual(broker.Address.Port, listener.Port);

        var scrape = await Scrape.OfAsync(listener);
        Assert.Equal(0, scrape.Value("secretsbroker_sealed"));

        using var api = broker.Client();
        using (var onApi = await api.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.NotFound, onApi.StatusCode);
        }

        using var metricsPort = new HttpClient { BaseAddress = listener };
        using var health = await metricsPort.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
    }

    [Fact]
    public async Task A_sealed_broker_still_serves_metrics_and_shows_itself_sealed()
    {
        await using var first = await TestBroker.StartAsync();
        await using var sealedBroker = await first.RestartAsync(new TestBrokerOptions { MasterKeyBase64 = SecretsBroker.Core.Secrets.MasterKey.Generate().ToBase64() });
        Assert.True(sealedBroker.IsSealed);

        var scrape = await Scrape.OfAsync(sealedBroker.Address);
        Assert.Equal(1, scrape.Value("secretsbroker_sealed"));
    }

    [Theory]
    [InlineData("Metrics:Urls", "https://0.0.0.0:9464/metrics", "Metrics:Urls")]
    [InlineData("Metrics:Urls", "not a url", "Metrics:Urls")]
    [InlineData("Metrics:TokenFile", "/nonexistent/metrics-token", "Metrics:TokenFile")]
    public async Task A_metrics_setting_that_cannot_work_stops_the_broker_at_start_naming_the_key(string key, string value, string named)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestBroker.StartAsync(new TestBrokerOptions { Settings = new Dictionary<string, string?> { [key] = value } }));
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }
}
