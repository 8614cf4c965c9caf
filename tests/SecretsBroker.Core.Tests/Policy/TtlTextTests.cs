using NodaTime;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Policy;

public sealed class TtlTextTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("2d", 172_800)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d2h3m4s", 93_784)]
    [InlineData("0s", 0)]
    public void Numbers_with_units_largest_first_are_read(string text, long seconds)
    {
        Assert.True(TtlText.TryParse(text, out var ttl));
        Assert.Equal(Duration.FromSeconds(seconds), ttl);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("10")]
    [InlineData("m")]
    [InlineData("10 m")]
    [InlineData(" 10m")]
    [InlineData("-5m")]
    [InlineData("+5m")]
    [InlineData("1.5h")]
    [InlineData("10M")]
    [InlineData("10w")]
    [InlineData("30m1h")]
    [InlineData("1h1h")]
    [InlineData("PT10M")]
    [InlineData("1234567890s")]
    public void Anything_else_is_refused(string? text) => Assert.False(TtlText.TryParse(text, out _));

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(3600, "1h")]
    [InlineData(5400, "1h30m")]
    [InlineData(93_784, "1d2h3m4s")]
    [InlineData(0, "0s")]
    public void Formatting_gives_the_shortest_text_that_reads_back(long seconds, string text)
    {
        Assert.Equal(text, TtlText.Format(Duration.FromSeconds(seconds)));
        Assert.True(TtlText.TryParse(text, out var back));
        Assert.Equal(Duration.FromSeconds(seconds), back);
    }
}
