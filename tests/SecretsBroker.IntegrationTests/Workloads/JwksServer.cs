using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecretsBroker.IntegrationTests.Workloads;

/// <summary>
/// A CI platform's JWKS endpoint on 127.0.0.1:0, serving whatever <c>jwks</c> returns at the moment
/// of each request, and counting them. Stopping it makes the URL refuse connections, as an issuer
/// that is down.
/// </summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int requests;
    private bool stopped;

    private JwksServer(WebApplication app)
    {
        this.app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Url = new Uri(new Uri(address), "/.well-known/jwks");
    }

    public Uri Url { get; }

    public int Requests => Volatile.Read(ref requests);

    public static async Task<JwksServer> StartAsync(Func<string> jwks)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        JwksServer? server = null;
        app.MapGet("/.well-known/jwks", () =>
        {
            Interlocked.Increment(ref server!.requests);
            return Results.Text(jwks(), "application/json");
        });
        await app.StartAsync();
        server = new JwksServer(app);
        return server;
    }

    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
