using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// A second, minimal Kestrel host on <c>Metrics:Urls</c> that answers <c>/metrics</c> and nothing else, so
/// the scraper's network need not reach the API and the API's address does not serve the figures. A
/// host of its own rather than an extra endpoint on the broker's Kestrel: explicit Kestrel endpoints
/// would replace the operator's <c>urls</c> setting instead of adding to it.
/// </summary>
internal sealed class MetricsListener(IServiceProvider broker, IOptions<MetricsOptions> options) : IHostedService, IAsyncDisposable
{
    private WebApplication? host;

    /// <summary>The addresses bound (a port of 0 is resolved), empty when no separate listener is configured.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = options.Value.ListenUrls;
        if (urls.Count == 0)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.AddServerHeader = false).UseUrls([.. urls]);
        builder.Services.AddLogging();
        host = builder.Build();
        var serve = MetricsEndpoint.For(broker);
        host.Run(http =>
        {
            if (HttpMethods.IsGet(http.Request.Method) && http.Request.Path == MetricsEndpoint.Path)
            {
                return serve(http);
            }

            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await host.StartAsync(cancellationToken);
        Addresses = [.. host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses];
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (host is not null)
        {
            await host.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }
}
