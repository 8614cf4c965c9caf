using NodaTime;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Policy;

/// <summary>A role's optional <c>break_glass:</c> block: read with defaults, refused with file:line when wrong.</summary>
public sealed class BreakGlassPolicyTests
{
    [Fact]
    public void A_role_without_a_break_glass_block_does_not_allow_it()
    {
        var policy = PolicyTexts.ParseValid(PolicyTexts.Valid);

        Assert.Null(policy.Roles["deploy-api"].BreakGlass);
    }

    [Fact]
    public void The_block_is_read_with_its_cap_and_approvals()
    {
        var policy = PolicyTexts.ParseValid(PolicyTexts.WithLine(8, "    break_glass: { allowed: true, max_ttl: 30m, approvals: 2 }"));

        Assert.Equal(new BreakGlassPolicy(true, Duration.FromMinutes(30), 2), policy.Roles["deploy-api"].BreakGlass);
    }

    [Fact]
    public void An_empty_block_allows_break_glass_for_an_hour_by_one_operator()
    {
        var policy = PolicyTexts.ParseValid(PolicyTexts.WithLine(8, "    break_glass: {}"));

        Assert.Equal(new BreakGlassPolicy(true, Duration.FromHours(1), 1), policy.Roles["deploy-api"].BreakGlass);
    }

    [Theory]
    [InlineData("    break_glass: { approvals: 3 }", 8, "approvals must be 1")]
    [InlineData("    break_glass: { max_ttl: soon }", 8, "break_glass max_ttl 'soon' is not a duration")]
    [InlineData("    break_glass: { allowed: yes }", 8, "break_glass allowed must be true or false")]
    [InlineData("    break_glass: { quorum: 2 }", 8, "unknown key 'quorum'")]
    [InlineData("    break_glass: true", 8, "break_glass")]
    public void A_wrong_block_is_refused_with_its_line(string line, int at, string message)
    {
        var result = PolicyTexts.Parse(PolicyTexts.WithLine(8, line));

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(at, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
