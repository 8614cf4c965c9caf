using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Tests.Compromise;

public sealed class IdentityTargetTests
{
    public static TheoryData<string> Ends => ["\n", "\r\n", "\0", "\u2028", "\u2029", "\u0085"];

    [Fact]
    public void A_subject_or_a_claim_selector_is_read_as_given()
    {
        var bySubject = IdentityTarget.Parse("github", "repo:acme/app:ref:refs/heads/main", null).Value;
        var bySelector = IdentityTarget.Parse("github", null, "repository=acme/app").Value;

        Assert.Equal("repo:acme/app:ref:refs/heads/main", bySubject.Subject);
        Assert.Equal(("repository", "acme/app"), (bySelector.ClaimName, bySelector.ClaimValue));
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void A_subject_ending_in_a_line_break_or_control_character_is_refused(string end) =>
        Assert.Equal(ErrorCodes.InvalidSelector, IdentityTarget.Parse("github", "repo:acme/app" + end, null).Error?.Code);

    [Theory]
    [MemberData(nameof(Ends))]
    public void A_selector_claim_name_ending_in_a_line_break_or_control_character_is_refused(string end) =>
        Assert.Equal(ErrorCodes.InvalidSelector, IdentityTarget.Parse("github", null, "repository" + end + "=acme/app").Error?.Code);

    [Theory]
    [MemberData(nameof(Ends))]
    public void A_selector_value_ending_in_a_line_break_or_control_character_is_refused(string end) =>
        Assert.Equal(ErrorCodes.InvalidSelector, IdentityTarget.Parse("github", null, "repository=acme/app" + end).Error?.Code);

    [Theory]
    [MemberData(nameof(Ends))]
    public void An_issuer_ending_in_a_line_break_or_control_character_is_refused(string end) =>
        Assert.Equal(ErrorCodes.InvalidSelector, IdentityTarget.Parse("github" + end, "repo:acme/app", null).Error?.Code);
}
