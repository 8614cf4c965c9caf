using Hangfire;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Jobs;

/// <summary>The rotation job: every secret whose period has passed is rotated. Safe to run twice; nothing while sealed.</summary>
public sealed class SecretJobs(BrokerSeal seal, SecretRotation rotation, ILogger<SecretJobs> logger)
{
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task RotateDueAsync()
    {
        if (seal.IsSealed)
        {
            return;
        }

        var rotated = await rotation.RotateDueAsync(CancellationToken.None);
        if (rotated > 0)
        {
            JobLog.Rotated(logger, rotated);
        }
    }
}
