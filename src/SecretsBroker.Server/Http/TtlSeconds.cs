using NodaTime;

namespace SecretsBroker.Server.Http;

/// <summary>A <c>ttlSeconds</c> field as a duration. Out-of-range values are the service's to refuse with its own code; this only keeps the arithmetic finite.</summary>
internal static class TtlSeconds
{
    private const long Longest = 10L * 366 * 86400;

    public static Duration? ToDuration(long? seconds) => seconds is { } s ? Duration.FromSeconds(Math.Clamp(s, -1, Longest)) : null;
}
