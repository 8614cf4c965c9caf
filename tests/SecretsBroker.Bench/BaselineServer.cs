using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>baseline</c>: the yardstick. A bare Kestrel minimal API on 127.0.0.1 (free port) that binds the
/// same lease request body on the same path and answers a small JSON object: no authentication, no
/// policy, no signing, no storage. It prints its address and stops by itself after
/// <c>--max-seconds</c>, so a forgotten one cannot linger.
/// </summary>
internal static class BaselineServer
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        app.MapPost(Routes.Leases, (IssueLeaseRequest body) =>
            Results.Created((string?)null, new BaselineAnswer(Guid.NewGuid().ToString("N"), body.Step, "active")));

        using var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(args.WholeNumber("max-seconds", 900)));
        await app.StartAsync(lifetime.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Console.WriteLine($"baseline listening on {address}");

        // Returns (and stops the server) on SIGTERM from bench.sh, or at the time limit.
        await app.WaitForShutdownAsync(lifetime.Token);
        return 0;
    }

    /// <summary>A small answer in the spirit of a lease: an id, the step, a state.</summary>
    internal sealed record BaselineAnswer(string Id, string Step, string State);
}
