using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Tests.Secrets;

public sealed class MasterKeyTests
{
    [Fact]
    public void A_key_survives_its_base64_form()
    {
        var key = MasterKey.Generate();

        var again = MasterKey.TryParse(key.ToBase64() + "\n");

        Assert.NotNull(again);
        Assert.Equal(key.Derive("x"), again.Derive("x"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 !!")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_but_a_32_byte_base64_key_is_refused(string? text) => Assert.Null(MasterKey.TryParse(text));

    [Fact]
    public void Each_label_derives_its_own_key()
    {
        var key = MasterKey.Generate();

        Assert.NotEqual(key.Derive("audit-mac/v1"), key.Derive("key-ring/v1"));
        Assert.NotEqual(key.Derive("audit-mac/v1"), MasterKey.Generate().Derive("audit-mac/v1"));
    }

    [Fact]
    public void Printing_a_key_never_shows_it()
    {
        var key = MasterKey.Generate();

        Assert.DoesNotContain(key.ToBase64(), key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_seal_check_matches_only_the_key_that_made_it()
    {
        var key = MasterKey.Generate();
        var stored = SealCheck.Compute(key);

        Assert.True(SealCheck.Matches(key, stored));
        Assert.False(SealCheck.Matches(MasterKey.Generate(), stored));
    }
}
