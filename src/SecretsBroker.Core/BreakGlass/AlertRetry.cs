using NodaTime;
using SecretsBroker.Core.Jobs;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// When an undelivered alert is tried again: <see cref="First"/> after the first failure, doubling,
/// at most every <see cref="Cap"/>, for as long as it takes — an alert nobody received is the one
/// that matters. A delivery takes an alert for <see cref="ClaimFor"/>, so two pollers never send it
/// at once, and an alert whose delivery died with its process is picked up once the claim ends.
/// </summary>
public sealed record AlertRetry(Duration First, Duration Cap, Duration ClaimFor)
{
    public static AlertRetry Default { get; } = new(Duration.FromSeconds(30), Duration.FromHours(1), Duration.FromMinutes(5));

    public Duration After(int failures) => ExponentialBackoff.After(First, Cap, failures);
}
