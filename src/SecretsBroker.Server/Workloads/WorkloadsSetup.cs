using Microsoft.Extensions.Options;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Server.Workloads;

/// <summary>Workload identity: trusted OIDC issuers, their key sets, and the token validator.</summary>
internal static class WorkloadsSetup
{
    /// <summary>JWKS documents are small and issuers answer fast; a slow one must not hold up token checks for long.</summary>
    public static readonly TimeSpan JwksTimeout = TimeSpan.FromSeconds(10);

    internal static IServiceCollection AddWorkloadIdentity(this IServiceCollection services)
    {
        services.AddOptions<WorkloadOptions>().BindConfiguration(WorkloadOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkloadOptions>, WorkloadOptionsValidator>();
        services.AddHttpClient(JwksUrlSource.HttpClientName, client =>
            {
                client.Timeout = JwksTimeout;
                client.MaxResponseContentBufferSize = JwksKeySet.MaxBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        // Singletons: the key sets and the validation cache are shared by every request, and each guards its own state.
        services.AddSingleton<TrustedIssuers>();
        services.AddSingleton<IWorkloadTokenValidator, OidcTokenValidator>();
        services.AddHostedService<JwksWarmUp>();
        return services;
    }
}
