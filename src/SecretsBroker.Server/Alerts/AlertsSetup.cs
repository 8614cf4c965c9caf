using Microsoft.Extensions.Options;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Server.Alerts;

/// <summary>Alerts: validated webhook options, the raiser break-glass calls, and the delivery client.</summary>
internal static class AlertsSetup
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);

    internal static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>();
        services.AddSingleton<IBreakGlassAlerts, WebhookAlerts>();

        // Holds no state of its own: a singleton so tests and the ticker share one instance.
        services.AddSingleton<AlertJobs>();

        // No redirects: a signed event goes to the configured URL or nowhere.
        services.AddHttpClient(AlertJobs.HttpClientName, client => client.Timeout = DeliveryTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return services;
    }
}
