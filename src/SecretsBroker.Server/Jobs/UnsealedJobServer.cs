using Hangfire;
using Hangfire.Common;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// Hangfire's processing server, started only when the broker has unsealed. A sealed broker runs no
/// job and opens no job storage: it holds no lock on its data folder (another broker may be using
/// it) and leaves the folder exactly as it found it.
/// </summary>
internal sealed class UnsealedJobServer(BrokerSeal seal, IServiceProvider services, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private BackgroundJobServerHostedService? server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (seal.IsSealed)
        {
            return Task.CompletedTask;
        }

        // Resolving the configuration runs AddHangfire's callback (serializer, log bridge) before any job.
        services.GetRequiredService<IGlobalConfiguration>();
        var options = new BackgroundJobServerOptions
        {
            WorkerCount = 2,
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
            Activator = services.GetRequiredService<JobActivator>(),
            FilterProvider = services.GetRequiredService<IJobFilterProvider>(),
        };
        server = new BackgroundJobServerHostedService(services.GetRequiredService<JobStorage>(), options, [], lifetime);
        return server.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => server?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose() => server?.Dispose();
}
