using Microsoft.Net.Http.Headers;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Metrics;

/// <summary><c>GET /metrics</c> in the Prometheus text format, behind the scraper's token when one is configured.</summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>Built over the broker's own services, so the separate metrics listener serves the same figures.</summary>
    /// <summary>Resolved at the first scrape, after the settings were validated at start.</summary>
    public static RequestDelegate For(IServiceProvider broker) =>
        async http =>
        {
            var metrics = broker.GetRequiredService<BrokerMetrics>();
            var token = broker.GetRequiredService<MetricsToken>();

            // Its before-collect callback reads the store figures into the registry.
            _ = broker.GetRequiredService<StoreFigures>();
            if (!token.Admits(http))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await BrokerProblem.WriteAsync(http, new BrokerError(ErrorCodes.Unauthenticated, "A valid metrics token is required.", ErrorKind.Unauthenticated));
                return;
            }

            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            http.Response.Headers[HeaderNames.CacheControl] = "no-store";
            await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        };
}
