using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.BreakGlass;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>Every break-glass lease stays on the review list until someone other than its requester reviews it.</summary>
public sealed class BreakGlassReviewTests
{
    [Fact]
    public async Task The_requester_cannot_review_their_own_break_glass()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var id = (await issued.ReadAsync()).Request.Id;
        using var self = await oncall.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new BreakGlassReviewBody("justified", "fine"));

        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Equal("self_review_refused", await self.CodeAsync());
    }

    [Fact]
    public async Task An_issued_break_glass_is_listed_as_unreviewed_until_another_operator_reviews_it()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var lead = await world.OperatorAsync("lead");

        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var id = (await issued.ReadAsync()).Request.Id;
        var before = (await lead.GetFromJsonAsync<BreakGlassPage>($"{Routes.BreakGlass}?unreviewed=true"))!.Requests;
        using var reviewed = await lead.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new BreakGlassReviewBody("justified", "Outage confirmed in INC-4711."));
        var review = (await reviewed.Content.ReadFromJsonAsync<BreakGlassInfo>())!;
        var after = (await lead.GetFromJsonAsync<BreakGlassPage>($"{Routes.BreakGlass}?unreviewed=true"))!.Requests;
        var all = (await lead.GetFromJsonAsync<BreakGlassPage>(Routes.BreakGlass))!.Requests;

        Assert.Contains(before, r => r.Id == id);
        Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        Assert.Equal("justified", review.ReviewOutcome);
        Assert.DoesNotContain(after, r => r.Id == id);
        Assert.Contains(all, r => r.Id == id && r.ReviewOutcome == "justified");
    }

    [Fact]
    public async Task A_review_needs_a_known_outcome_and_happens_once()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var lead = await world.OperatorAsync("lead");

        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var id = (await issued.ReadAsync()).Request.Id;
        using var bad = await lead.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new BreakGlassReviewBody("meh", null));
        using var first = await lead.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new BreakGlassReviewBody("unjustified", null));
        using var second = await lead.PostAsJsonAsync($"{Routes.BreakGlass}/{id}/review", new BreakGlassReviewBody("justified", null));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("already_reviewed", await second.CodeAsync());
    }
}
