using NodaTime;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Tunables of lease handling. <see cref="ReuseWindow"/>: a request with the same binding from the
/// same job within this window gets the lease already issued (CI clients retry on 5xx and timeouts).
/// </summary>
public sealed record LeaseSettings(Duration ReuseWindow, Duration StuckIssuingAfter)
{
    public static LeaseSettings Default { get; } = new(Duration.FromSeconds(60), Duration.FromSeconds(60));
}
