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

/// <summary>
/// A real HTTP receiver on 127.0.0.1:0 that keeps every accepted POST's signature header and body;
/// the first <c>refuseFirst</c> posts it answers 503 and keeps apart, as a receiver that is down would.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Channel<(string? Signature, string Body)> received = Channel.CreateUnbounded<(string?, string)>();
    private readonly Channel<string> refused = Channel.CreateUnbounded<string>();
    private int toRefuse;

    private WebhookReceiver(WebApplication app, string keyFile)
    {
        this.app = app;
        KeyFile = keyFile;
    }

    public Uri Url { get; private set; } = null!;

    public string KeyFile { get; }

    public byte[] Key { get; } = "webhook-shared-key-0123456789abcdef"u8.ToArray();

    public static async Task<WebhookReceiver> StartAsync(int refuseFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var keyFile = Path.Combine(Path.GetTempPath(), "sb-hook-" + Guid.NewGuid().ToString("N"));
        var receiver = new WebhookReceiver(builder.Build(), keyFile) { toRefuse = refuseFirst };
        await File.WriteAllBytesAsync(keyFile, receiver.Key);
        receiver.app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref receiver.toRefuse) >= 0)
            {
                await receiver.refused.Writer.WriteAsync(body);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            await receiver.received.Writer.WriteAsync((request.Headers["X-SecretsBroker-Signature"].ToString(), body));
            return Results.NoContent();
        });
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Url = new Uri(address + "/hook");
        return receiver;
    }

    /// <summary>Broker settings that send alerts here, as webhook number <paramref name="index"/>.</summary>
    public Dictionary<string, string?> Settings(int index = 0, string name = "security-pager") => new()
    {
        [$"Alerts:Webhooks:{index}:Name"] = name,
        [$"Alerts:Webhooks:{index}:Url"] = Url.ToString(),
        [$"Alerts:Webhooks:{index}:SecretFile"] = KeyFile,
    };

    /// <summary>The next accepted post.</summary>
    public async Task<(string? Signature, string Body)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The body of the next post answered 503.</summary>
    public async Task<string> NextRefusedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await refused.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Whether an accepted post is waiting to be read (none should, where a test says so).</summary>
    public bool HasMore => received.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        File.Delete(KeyFile);
    }
}
