using NodaTime;

namespace SecretsBroker.Core.Time;

/// <summary>
/// The current instant at the precision the stores keep (unix milliseconds). Whatever is written and
/// also answered (a lease's times, a token's expiry) is made from this, so the answer to the write
/// and every later read give the same value.
/// </summary>
public static class StoredTime
{
    public static Instant StoredNow(this IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return clock.GetCurrentInstant().AtStoredPrecision();
    }

    /// <summary>What a store keeps of <paramref name="instant"/>: the millisecond it falls in, whatever lies below it dropped.</summary>
    public static Instant AtStoredPrecision(this Instant instant) =>
        Instant.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());
}
