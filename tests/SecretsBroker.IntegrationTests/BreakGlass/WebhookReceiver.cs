using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>A real HTTP receiver on 127.0.0.1:0 that keeps every POST's signature header and body.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Channel<(string? Signature, string Body)> received = Channel.CreateUnbounded<(string?, string)>();

    private WebhookReceiver(WebApplication app, string keyFile)
    {
        this.app = app;
        KeyFile = keyFile;
    }

    public Uri Url { get; private set; } = null!;

    public string KeyFile { get; }

    public byte[] Key { get; } = "webhook-shared-key-0123456789abcdef"u8.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var keyFile = Path.Combine(Path.GetTempPath(), "sb-hook-" + Guid.NewGuid().ToString("N"));
        var receiver = new WebhookReceiver(builder.Build(), keyFile);
        await File.WriteAllBytesAsync(keyFile, receiver.Key);
        receiver.app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            await receiver.received.Writer.WriteAsync((request.Headers["X-SecretsBroker-Signature"].ToString(), await reader.ReadToEndAsync()));
            return Results.NoContent();
        });
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Url = new Uri(address + "/hook");
        return receiver;
    }

    /// <summary>Broker settings that send alerts here.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Alerts:Webhooks:0:Name"] = "security-pager",
        ["Alerts:Webhooks:0:Url"] = Url.ToString(),
        ["Alerts:Webhooks:0:SecretFile"] = KeyFile,
    };

    public async Task<(string? Signature, string Body)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await received.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        File.Delete(KeyFile);
    }
}
