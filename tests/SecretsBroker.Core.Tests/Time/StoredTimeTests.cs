using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Time;

public sealed class StoredTimeTests
{
    [Fact]
    public void The_stored_now_drops_what_lies_below_a_millisecond()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 1, 9, 0).PlusTicks(1_239_999));

        Assert.Equal(Instant.FromUtc(2026, 11, 1, 9, 0).PlusTicks(1_230_000), clock.StoredNow());
    }

    [Fact]
    public void A_whole_millisecond_is_kept_as_it_is()
    {
        var at = Instant.FromUnixTimeMilliseconds(1_793_000_000_123);

        Assert.Equal(at, new FakeClock(at).StoredNow());
    }

    [Fact]
    public void An_instant_before_1970_is_kept_at_the_millisecond_it_falls_in()
    {
        var at = Instant.FromUnixTimeMilliseconds(-1_000).PlusTicks(-1);

        Assert.Equal(Instant.FromUnixTimeMilliseconds(-1_001), at.AtStoredPrecision());
    }
}
