using NodaTime;

namespace SecretsBroker.Core.Jobs;

/// <summary>
/// When to try a failed downstream revocation again: exponential from <see cref="First"/>, capped
/// at <see cref="Cap"/>, forever. After <see cref="FailuresBeforeAlert"/> failures the lease is marked
/// <c>revoke_failed</c> and an alert is audited, but the retries go on: giving up silently is how
/// other brokers leave database users behind.
/// </summary>
public sealed record RevocationBackoff(Duration First, Duration Cap, int FailuresBeforeAlert)
{
    public static RevocationBackoff Default { get; } = new(Duration.FromSeconds(1), Duration.FromMinutes(5), 6);

    public Duration After(int failures) => ExponentialBackoff.After(First, Cap, failures);
}
