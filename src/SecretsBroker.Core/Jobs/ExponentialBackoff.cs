using NodaTime;

namespace SecretsBroker.Core.Jobs;

/// <summary>The wait before the next try after <c>failures</c> failures: <c>first</c>, doubled each time, never more than <c>cap</c>.</summary>
public static class ExponentialBackoff
{
    public static Duration After(Duration first, Duration cap, int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = first.BclCompatibleTicks * (1L << exponent);
        return ticks <= 0 || ticks > cap.BclCompatibleTicks ? cap : Duration.FromTicks(ticks);
    }
}
