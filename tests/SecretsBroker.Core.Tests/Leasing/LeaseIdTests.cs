using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Tests.Leasing;

public sealed class LeaseIdTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 11, 23, 9, 0);

    [Fact]
    public void An_id_is_32_lower_case_hex_characters()
    {
        var id = LeaseId.New(At);

        Assert.Equal(LeaseId.Length, id.Length);
        Assert.True(LeaseId.LooksValid(id));
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public void Ids_sort_in_issue_order_across_milliseconds()
    {
        var ids = Enumerable.Range(0, 200).Select(i => LeaseId.New(At + Duration.FromMilliseconds(i))).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_first_twelve_characters_are_the_issue_time_in_unix_milliseconds()
    {
        var id = LeaseId.New(At);

        Assert.Equal(At.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
    }

    [Fact]
    public void Ids_issued_in_the_same_millisecond_differ_in_their_random_part()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => LeaseId.New(At)).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(10_000, ids.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    public void Anything_else_does_not_look_like_an_id(string? candidate) =>
        Assert.False(LeaseId.LooksValid(candidate));
}
