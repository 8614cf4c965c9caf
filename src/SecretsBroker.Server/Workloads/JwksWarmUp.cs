namespace SecretsBroker.Server.Workloads;

/// <summary>Loads every trusted issuer's keys at start, so the first CI job does not wait for a fetch and a bad JWKS shows in the start-up log.</summary>
internal sealed class JwksWarmUp(TrustedIssuers issuers) : IHostedService
{
    /// <summary>All issuers at once: an unreachable one costs one fetch timeout, not one per issuer. A failure is
    /// logged by its source and retried on use; it does not stop the broker.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(issuers.All.Select(i => i.Keys.CurrentAsync(cancellationToken).AsTask()));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
