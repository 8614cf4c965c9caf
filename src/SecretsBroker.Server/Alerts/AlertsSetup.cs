using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Server.Alerts;

/// <summary>Alerts: validated webhook options, the retry schedule, delivery and its jobs, the poller, and the delivery client.</summary>
internal static class AlertsSetup
{
    private static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(10);

    internal static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AlertOptions>>().Value is var o
            ? AlertRetry.Default with { First = Duration.FromSeconds(o.RetryAfterSeconds), Cap = Duration.FromSeconds(Math.Max(o.RetryAfterSeconds, o.RetryAtMostEverySeconds)) }
            : AlertRetry.Default);
        services.AddSingleton<IBreakGlassAlerts, WebhookAlerts>();
        services.AddSingleton<IAlertWebhooks, WebhookPoster>();
        services.AddSingleton<BreakGlassAlertDelivery>();

        // Holds no state of its own: a singleton so tests and the ticker share one instance.
        services.AddSingleton<AlertJobs>();
        services.AddHostedService<AlertRetryTicker>();

        // No redirects: a signed event goes to the configured URL or nowhere.
        services.AddHttpClient(WebhookPoster.HttpClientName, client => client.Timeout = PostTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return services;
    }
}
