using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Tests.Naming;

public sealed class BindingValueTests
{
    [Theory]
    [InlineData("42")]
    [InlineData("refs/heads/main")]
    [InlineData("migrate-db")]
    [InlineData("job:7@runner+1")]
    public void Values_a_ci_platform_uses_are_accepted(string value) => Assert.Null(BindingValue.Check(value, "step"));

    [Theory]
    [InlineData("smoke\n")]
    [InlineData("smoke\r\n")]
    [InlineData("smoke\r")]
    [InlineData("smoke\0")]
    [InlineData("smoke\u2028")]
    [InlineData("smoke\u2029")]
    [InlineData("smoke\u0085")]
    [InlineData("\nsmoke")]
    [InlineData("sm\noke")]
    public void A_value_with_a_line_break_or_control_character_anywhere_is_refused_as_invalid_name(string value) =>
        Assert.Equal(ErrorCodes.InvalidName, BindingValue.Check(value, "purpose")?.Code);

    [Fact]
    public void An_idempotency_key_ending_in_a_newline_is_refused_as_invalid_name() =>
        Assert.Equal(ErrorCodes.InvalidName, BindingValue.Check("deploy-42\n", "idempotency key")?.Code);
}
