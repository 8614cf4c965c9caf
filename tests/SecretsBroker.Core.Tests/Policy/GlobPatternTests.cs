using System.Diagnostics;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Policy;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("deploy", "deploy", true)]
    [InlineData("deploy", "deploy2", false)]
    [InlineData("deploy", "Deploy", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything at all", true)]
    [InlineData("migrate-*", "migrate-", true)]
    [InlineData("migrate-*", "migrate-up", true)]
    [InlineData("migrate-*", "pre-migrate-up", false)]
    [InlineData("*-smoke", "eu-smoke", true)]
    [InlineData("*-smoke", "eu-smoke-test", false)]
    [InlineData("refs/*/main", "refs/heads/main", true)]
    [InlineData("refs/*/main", "refs/heads/feature/main", true)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYcZ", false)]
    [InlineData("smoke-?", "smoke-1", true)]
    [InlineData("smoke-?", "smoke-", false)]
    [InlineData("smoke-?", "smoke-12", false)]
    [InlineData("??", "ab", true)]
    [InlineData("a**b", "ab", true)]
    [InlineData("ref?", "ref*", true)]
    public void Matches_are_whole_value_ordinal_and_case_sensitive(string pattern, string value, bool matches) =>
        Assert.Equal(matches, GlobPattern.IsMatch(pattern, value));

    [Fact]
    public void A_star_in_the_value_is_matched_only_by_a_wildcard_in_the_pattern()
    {
        Assert.False(GlobPattern.IsMatch("a", "*"));
        Assert.True(GlobPattern.IsMatch("*", "*"));
    }

    [Fact]
    public void Patterns_built_to_make_a_backtracking_matcher_explode_finish_at_once()
    {
        // A regex such as ^(a*)*b$ or a naive recursive glob takes exponential time on this input.
        var pattern = string.Concat(Enumerable.Repeat("a*", 30)) + "b";
        var value = new string('a', 10_000);

        var timer = Stopwatch.StartNew();
        var matched = GlobPattern.IsMatch(pattern, value);
        timer.Stop();

        Assert.False(matched);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"took {timer.Elapsed}");
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("migrate-*")]
    [InlineData("smoke-?")]
    [InlineData("acme/app@refs/heads/main")]
    public void Patterns_with_only_star_and_question_mark_wildcards_are_accepted(string pattern) =>
        Assert.Null(GlobPattern.Check(pattern));

    [Theory]
    [InlineData("deploy-[ab]", "uses '['")]
    [InlineData("deploy-]", "uses ']'")]
    [InlineData("{main,dev}", "uses '{'")]
    [InlineData("a\\*", "uses '\\'")]
    [InlineData("", "must not be empty")]
    [InlineData("tab\there", "must not hold control characters")]
    public void Other_glob_syntax_and_odd_characters_are_refused(string pattern, string problem) =>
        Assert.StartsWith(problem, GlobPattern.Check(pattern), StringComparison.Ordinal);

    [Fact]
    public void Patterns_longer_than_the_limit_are_refused()
    {
        Assert.Null(GlobPattern.Check(new string('a', GlobPattern.MaxLength)));
        Assert.Equal($"is longer than {GlobPattern.MaxLength} characters", GlobPattern.Check(new string('a', GlobPattern.MaxLength + 1)));
    }
}
