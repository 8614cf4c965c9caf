using Microsoft.Net.Http.Headers;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Metrics;

/// <summary><c>GET /metrics</c> in the Prometheus text format, behind the scraper's token when one is configured.</summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>
    /// Built over the broker's own services, so the separate metrics listener serves the same figures;
    /// they are resolved at the first scrape, after the settings were validated at start.
    /// </summary>
    public static RequestDelegate For(IServiceProvider broker) =>
        async http =>
        {
            var registry = broker.GetRequiredService<BrokerRegistry>();
            var token = broker.GetRequiredService<MetricsToken>();

            // Figures made on first use are made now, so every series is served from the first scrape;
            // the store figures' before-collect callback reads the database into the registry.
            _ = broker.GetRequiredService<StoreFigures>();
            _ = broker.GetRequiredService<CleanupFigures>();
            _ = broker.GetRequiredService<JwksFigures>();
            _ = broker.GetRequiredService<PolicyFigures>();
            if (!token.Admits(http))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await BrokerProblem.WriteAsync(http, new BrokerError(ErrorCodes.Unauthenticated, "A valid metrics token is required.", ErrorKind.Unauthenticated));
                return;
            }

            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            http.Response.Headers[HeaderNames.CacheControl] = "no-store";
            await registry.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        };
}
