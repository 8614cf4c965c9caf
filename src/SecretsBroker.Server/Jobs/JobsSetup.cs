using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Auth;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// Hangfire on the job storage the host registered (for the embedded broker, a file of its own in
/// the data folder, so queued and recurring jobs and the dashboard's history survive a restart).
/// Losing that file loses nothing: the ticker, the alert poller and the reconciler rebuild all
/// pending work from the database at start.
/// </summary>
internal static class JobsSetup
{
    public const string DashboardPath = "/hangfire";

    internal static IServiceCollection AddLeaseJobs(this IServiceCollection services)
    {
        // The activator is this broker's own and the storage (JobStorage) the host's, both registered
        // before AddHangfire so that it does not fall back to its process-wide statics
        // (JobStorage.Current, JobActivator.Current).
        services.AddSingleton<JobActivator, BrokerJobActivator>();
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogBridge(sp.GetRequiredService<ILoggerFactory>())));
        services.AddHostedService<UnsealedJobServer>();

        // One instance holds the "a sweep is pending" flag the ticker and the job share.
        services.AddSingleton<LeaseJobs>();
        services.AddSingleton<SecretJobs>();
        services.AddHostedService<LeaseJobTicker>();
        return services;
    }

    internal static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            AsyncAuthorization = [new AdminOnly()],
            DisplayStorageConnectionString = false,
        });
        return app;
    }

    /// <summary>The dashboard can trigger and delete jobs: admin tokens only.</summary>
    private sealed class AdminOnly : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var result = await http.AuthenticateAsync(CallerClaims.Scheme);
            return result.Succeeded && Scopes.Grants(CallerClaims.ScopesOf(result.Principal), Scopes.Admin);
        }
    }
}
