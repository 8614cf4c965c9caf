using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Audit;

/// <summary><c>GET /v1/audit</c> reads the trail oldest first, a page at a time, each page pointing at the next.</summary>
public sealed class AuditPagingTests
{
    [Fact]
    public async Task The_trail_reads_page_by_page_with_after_limit_and_next()
    {
        await using var broker = await TestBroker.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await broker.CreateTokenAsync($"ci-{i}", "operator");
        }

        using var auditor = broker.Client(await broker.CreateTokenAsync("auditor", "security"));
        var whole = await auditor.GetFromJsonAsync<AuditPage>("/v1/audit?limit=1000");

        Assert.Equal(Enumerable.Range(1, 7).Select(n => (long)n), whole!.Events.Select(e => e.Seq));
        Assert.Null(whole.Next);

        // Seven events in pages of three: 1-3, 4-6, then 7 alone with no next page.
        var page1 = await auditor.GetFromJsonAsync<AuditPage>("/v1/audit?limit=3");
        var page2 = await auditor.GetFromJsonAsync<AuditPage>($"/v1/audit?after={page1!.Next}&limit=3");
        var page3 = await auditor.GetFromJsonAsync<AuditPage>($"/v1/audit?after={page2!.Next}&limit=3");
        Assert.Equal([1L, 2, 3], page1.Events.Select(e => e.Seq));
        Assert.Equal(3, page1.Next);
        Assert.Equal([4L, 5, 6], page2.Events.Select(e => e.Seq));
        Assert.Equal(6, page2.Next);
        Assert.Equal([7L], page3!.Events.Select(e => e.Seq));
        Assert.Null(page3.Next);
        Assert.Equal(whole.Events.Select(e => e.Id), page1.Events.Concat(page2.Events).Concat(page3.Events).Select(e => e.Id));
    }

    [Fact]
    public async Task A_page_that_ends_on_the_newest_event_points_to_an_empty_last_page()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.CreateTokenAsync("ci", "operator");
        using var admin = broker.Admin();

        var full = await admin.GetFromJsonAsync<AuditPage>("/v1/audit?limit=2");
        var after = await admin.GetFromJsonAsync<AuditPage>($"/v1/audit?after={full!.Next}&limit=2");

        Assert.Equal([1L, 2], full.Events.Select(e => e.Seq));
        Assert.Equal(2, full.Next);
        Assert.Empty(after!.Events);
        Assert.Null(after.Next);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("after=-1")]
    [InlineData("after=1.5")]
    public async Task A_bad_paging_parameter_is_answered_with_invalid_query(string query)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.GetAsync($"/v1/audit?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_query", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }
}
