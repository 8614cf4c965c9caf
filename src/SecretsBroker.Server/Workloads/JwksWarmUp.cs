namespace SecretsBroker.Server.Workloads;

/// <summary>Loads every trusted issuer's keys at start, so the first CI job does not wait for a fetch and a bad JWKS shows in the start-up log.</summary>
internal sealed class JwksWarmUp(TrustedIssuers issuers) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var issuer in issuers.All)
        {
            // A failure is logged by the source and retried on use; it does not stop the broker.
            await issuer.Keys.CurrentAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
