using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Authentication;
using SecretsBroker.Core.Identity;
using SecretsBroker.Server.Auth;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// Hangfire on in-memory storage for the embedded broker. Losing the queue loses nothing: the
/// ticker and the reconciler rebuild all pending work from the database at start.
/// </summary>
internal static class JobsSetup
{
    public const string DashboardPath = "/hangfire";

    internal static IServiceCollection AddLeaseJobs(this IServiceCollection services)
    {
        // Storage and activator are this broker's own, registered before AddHangfire so that it does
        // not fall back to its process-wide statics (JobStorage.Current, JobActivator.Current).
        services.AddSingleton<JobStorage>(_ => new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromMinutes(10) }));
        services.AddSingleton<JobActivator, BrokerJobActivator>();
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogBridge(sp.GetRequiredService<ILoggerFactory>())));
        services.AddHangfireServer((sp, o) =>
        {
            o.WorkerCount = 2;
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.Activator = sp.GetRequiredService<JobActivator>();
        });

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
