using System.Net;
using System.Net.Http.Json;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.BreakGlass;
using SecretsBroker.IntegrationTests.Cli;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary><c>GET /v1/break-glass</c> pages, most recent first, however many requests there have been.</summary>
public sealed class BreakGlassListTests
{
    [Fact]
    public async Task The_list_pages_most_recent_first_and_every_request_appears_exactly_once()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo, incident: $"INC-{i}");
            ids.Add((await issued.ReadAsync()).Request.Id);
            if (i % 2 == 0)
            {
                world.Broker.Clock.Advance(Duration.FromMilliseconds(1)); // some in the same millisecond, some not
            }
        }

        var seen = new List<BreakGlassInfo>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = (await oncall.GetFromJsonAsync<BreakGlassPage>($"{Routes.BreakGlass}?limit=2{(after is null ? "" : $"&after={after}")}"))!;
            seen.AddRange(page.Requests);
            after = page.Next;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(seen.Select(r => r.RequestedAt).OrderDescending(), seen.Select(r => r.RequestedAt));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=x")]
    [InlineData("after=not-an-id")]
    public async Task A_bad_limit_or_cursor_is_an_invalid_query(string query)
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.GetAsync($"{Routes.BreakGlass}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_query", await response.CodeAsync());
    }

    [Fact]
    public async Task Sbctl_lists_a_page_and_says_how_to_get_the_next()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        var oncall = await world.Broker.CreateTokenAsync("oncall", "operator");
        using (var client = await world.OperatorAsync("requester"))
        {
            for (var i = 0; i < 3; i++)
            {
                using var issued = await client.BreakGlassAsync(BreakGlassWorld.Solo, incident: $"INC-{i}");
                Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
                world.Broker.Clock.Advance(Duration.FromMilliseconds(1));
            }
        }

        var first = await world.Broker.SbctlAsync(oncall, "break-glass", "list", "--limit", "2");
        var next = first.StdoutLines().Single(l => l.StartsWith("more requests: ", StringComparison.Ordinal))["more requests: sbctl ".Length..].Split(' ');
        var second = await world.Broker.SbctlAsync(oncall, [.. next]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(2, first.StdoutLines().Count(l => l.Contains("INC-", StringComparison.Ordinal)));
        Assert.Equal(0, second.ExitCode);
        Assert.Single(second.StdoutLines(), l => l.Contains("INC-0", StringComparison.Ordinal));
        Assert.DoesNotContain(second.StdoutLines(), l => l.StartsWith("more requests", StringComparison.Ordinal));
    }
}
