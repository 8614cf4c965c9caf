using Microsoft.Extensions.Options;
using SecretsBroker.Core.Jobs;

namespace SecretsBroker.Server.Metrics;

/// <summary>
/// Prometheus metrics through prometheus-net 8.2.1 (the core library only: the broker serves the text
/// format itself, behind its own token check and on its own listener). Chosen over OpenTelemetry's
/// Prometheus exporter, which the package feed carries only as a 1.x beta; prometheus-net is stable
/// and needs no collector or SDK pipeline. Core stays free of it: the counting is done here, in Server.
/// </summary>
internal static class MetricsSetup
{
    internal static IServiceCollection AddBrokerMetrics(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();

        // One registry per broker, shared by every request and job: a singleton.
        services.AddSingleton<BrokerRegistry>();
        services.AddSingleton<BrokerMetrics>();
        services.AddSingleton<PolicyFigures>();
        services.AddSingleton<JwksFigures>();
        services.AddSingleton<CleanupFigures>();
        services.AddSingleton<IRevocationAttempts>(sp => sp.GetRequiredService<CleanupFigures>());
        services.AddSingleton<StoreFigures>();
        services.AddSingleton<MetricsToken>();
        services.AddSingleton<MetricsListener>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsListener>());
        return services;
    }

    /// <summary>On the API's address unless <c>Metrics:Urls</c> names a listener of its own.</summary>
    internal static WebApplication MapBrokerMetrics(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.ListenUrls.Count == 0)
        {
            app.MapGet(MetricsEndpoint.Path, MetricsEndpoint.For(app.Services)).ExcludeFromDescription();
        }

        return app;
    }
}
