using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace SecretsBroker.IntegrationTests.Health;

public sealed class LoopbackDefaultTests
{
    [Fact]
    public async Task Without_a_configured_address_the_broker_listens_on_loopback_only()
    {
        // Built, never started: starting would bind the fixed default port, which other runs may hold.
        await using var app = SecretsBroker.Server.Program.Build([]);

        var urls = app.Configuration[WebHostDefaults.ServerUrlsKey];

        Assert.False(string.IsNullOrEmpty(urls));
        Assert.All(urls.Split(';', StringSplitOptions.RemoveEmptyEntries), url =>
        {
            var host = IPAddress.Parse(new Uri(url).Host);
            Assert.True(IPAddress.IsLoopback(host), $"{url} is not a loopback address");
        });
    }

    [Fact]
    public async Task A_configured_address_is_kept_as_given()
    {
        await using var app = SecretsBroker.Server.Program.Build(["--urls", "http://0.0.0.0:18200"]);

        Assert.Equal("http://0.0.0.0:18200", app.Configuration[WebHostDefaults.ServerUrlsKey]);
    }
}
