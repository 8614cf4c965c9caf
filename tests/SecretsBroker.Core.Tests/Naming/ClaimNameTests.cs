using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Tests.Policy;

namespace SecretsBroker.Core.Tests.Naming;

/// <summary>One rule for claim names: what a policy rule may match on is what a revocation may select by.</summary>
public sealed class ClaimNameTests
{
    public static TheoryData<string> PolicyClaimNames =>
    [
        "repository",
        "job_workflow_ref",
        "_custom",
        "https://acme.example/team",
        "urn:acme:ci:team",
        "namespace.path-v2",
        new string('a', ClaimName.MaxLength),
    ];

    public static TheoryData<string> RefusedClaimNames =>
    [
        new string('a', ClaimName.MaxLength + 1),
        "repo\"sitory",
        "repository\n",
        "repository\\",
        "repo sitory",
        "",
    ];

    [Theory]
    [MemberData(nameof(PolicyClaimNames))]
    public void A_claim_name_the_policy_accepts_is_accepted_by_the_revoke_selector(string name)
    {
        var policy = PolicyTexts.Parse(PolicyWithClaim(name));
        var target = IdentityTarget.Parse("github", null, $"{name}=acme/app");

        Assert.True(policy.IsValid, string.Join('\n', policy.Errors));
        Assert.True(target.IsSuccess, target.Error?.Message);
        Assert.Equal(name, target.Value.ClaimName);
    }

    [Theory]
    [MemberData(nameof(RefusedClaimNames))]
    public void A_claim_name_the_rule_refuses_is_refused_by_both_the_policy_and_the_selector(string name)
    {
        var policy = PolicyTexts.Parse(PolicyWithClaim(name));
        var target = IdentityTarget.Parse("github", null, $"{name}=acme/app");

        Assert.False(ClaimName.IsValid(name));
        var error = Assert.Single(policy.Errors);
        Assert.StartsWith("claim name '", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InvalidSelector, target.Error?.Code);
    }

    [Fact]
    public void A_claim_name_of_129_characters_is_refused_by_both_with_the_limit_in_the_message()
    {
        var name = new string('a', 129);

        var policy = PolicyTexts.Parse(PolicyWithClaim(name));
        var target = IdentityTarget.Parse("github", null, $"{name}=acme/app");

        Assert.Equal(
            $"claim name '{name}' is not allowed: it may hold only letters, digits, '_', '.', ':', '/' and '-', and have at most 128 characters",
            Assert.Single(policy.Errors).Message);
        Assert.Equal(
            "The selector must be claim=value on one line, whose claim name may hold only letters, digits, '_', '.', ':', '/' and '-', and have at most 128 characters.",
            target.Error?.Message);
    }

    [Fact]
    public void A_claim_name_ending_in_a_newline_is_refused_though_the_rest_of_it_is_allowed()
    {
        Assert.True(ClaimName.IsValid("repository"));
        Assert.False(ClaimName.IsValid("repository\n"));
    }

    /// <summary>The valid policy whose rule matches on <paramref name="name"/>, written as a double-quoted YAML key.</summary>
    private static string PolicyWithClaim(string name)
    {
        var quoted = name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return PolicyTexts.WithLine(12, $"    claims: {{ \"{quoted}\": acme/app }}");
    }
}
