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
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseInMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromMinutes(10) }));
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = 2;
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });

        // One instance holds the "a sweep is pending" flag the ticker and the job share.
        services.AddSingleton<LeaseJobs>();
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
