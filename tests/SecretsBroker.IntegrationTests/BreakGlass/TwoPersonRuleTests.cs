using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Server.Alerts;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>A role with <c>approvals: 2</c>: the request waits for a different operator, within its window.</summary>
public sealed class TwoPersonRuleTests
{
    [Fact]
    public async Task A_request_waits_until_a_different_operator_approves_it_and_only_the_requester_collects_the_credential_once()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var second = await world.OperatorAsync("second");

        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var pending = await asked.ReadAsync();
        var route = $"{Routes.BreakGlass}/{pending.Request.Id}";
        using var early = await oncall.PostAsync($"{route}/credential", null);
        using var approved = await second.PostAsync($"{route}/approve", null);
        var approval = await approved.ReadAsync();
        using var byApprover = await second.PostAsync($"{route}/credential", null);
        using var collected = await oncall.PostAsync($"{route}/credential", null);
        var issued = await collected.ReadAsync();
        using var again = await oncall.PostAsync($"{route}/credential", null);
        using var approverReview = await second.PostAsJsonAsync($"{route}/review", new Contracts.BreakGlass.BreakGlassReviewBody("justified", null));

        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        Assert.Equal("pending", pending.Request.State);
        Assert.Null(pending.Lease);
        Assert.Equal("break_glass_not_issued", await early.CodeAsync());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("issued", approval.Request.State);
        Assert.Null(approval.Lease);
        Assert.Equal(HttpStatusCode.Forbidden, byApprover.StatusCode);
        Assert.Equal("not_requester", await byApprover.CodeAsync());
        Assert.Equal(HttpStatusCode.OK, collected.StatusCode);
        Assert.NotEmpty(issued.Lease!.Credential);
        Assert.Equal(approval.Request.LeaseId, issued.Lease.Lease.Id);
        Assert.False(issued.Lease.Lease.Renewable);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("already_collected", await again.CodeAsync());
        Assert.Equal(HttpStatusCode.Forbidden, approverReview.StatusCode);
        Assert.Equal("self_review_refused", await approverReview.CodeAsync());
    }

    [Fact]
    public async Task A_credential_whose_lease_ended_before_it_was_collected_is_not_handed_out_and_not_counted_as_collected()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var second = await world.OperatorAsync("second");
        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var route = $"{Routes.BreakGlass}/{(await asked.ReadAsync()).Request.Id}";
        var leaseId = (await (await second.PostAsync($"{route}/approve", null)).ReadAsync()).Request.LeaseId;
        using var admin = world.Broker.Admin();
        using var revoked = await admin.DeleteAsync($"{Routes.Leases}/{leaseId}");
        revoked.EnsureSuccessStatusCode();

        using var collect = await oncall.PostAsync($"{route}/credential", null);

        Assert.Equal(HttpStatusCode.Conflict, collect.StatusCode);
        Assert.Equal("lease_not_active", await collect.CodeAsync());
        var trail = (await admin.GetFromJsonAsync<Contracts.Audit.AuditPage>($"{Routes.Audit}?limit=1000"))!;
        Assert.DoesNotContain(trail.Events, e => e.Action == "break_glass.collect");
    }

    [Fact]
    public async Task The_requester_cannot_approve_their_own_request()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        using var self = await oncall.PostAsync($"{Routes.BreakGlass}/{(await asked.ReadAsync()).Request.Id}/approve", null);

        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Equal("self_approval_refused", await self.CodeAsync());
    }

    [Fact]
    public async Task A_request_not_approved_within_its_window_expires()
    {
        await using var world = await BreakGlassWorld.StartAsync(new Dictionary<string, string?> { ["BreakGlass:ApprovalWindowSeconds"] = "600" });
        using var oncall = await world.OperatorAsync("oncall");
        using var second = await world.OperatorAsync("second");

        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        world.Broker.Clock.Advance(Duration.FromSeconds(601));
        using var late = await second.PostAsync($"{Routes.BreakGlass}/{(await asked.ReadAsync()).Request.Id}/approve", null);

        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("break_glass_request_expired", await late.CodeAsync());
    }

    [Fact]
    public async Task The_sweep_marks_a_request_left_unapproved_past_its_window_expired_and_the_trail_says_so()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var jobs = world.Broker.Services.GetRequiredService<AlertJobs>();

        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var id = (await asked.ReadAsync()).Request.Id;
        await jobs.SweepBreakGlassAsync();
        var before = await StoredStateAsync(world, id);
        world.Broker.Clock.Advance(Duration.FromMinutes(15));
        await jobs.SweepBreakGlassAsync();

        Assert.Equal("pending", before);
        Assert.Equal("expired", await StoredStateAsync(world, id));
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<Contracts.Audit.AuditPage>($"{Routes.Audit}?limit=1000"))!;
        var expiry = Assert.Single(trail.Events, e => e.Action == "break_glass.expire");
        Assert.Equal($"break_glass:{id}", expiry.Target);
    }

    [Fact]
    public async Task A_request_is_approved_once()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var second = await world.OperatorAsync("second");
        using var third = await world.OperatorAsync("third");

        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        var id = (await asked.ReadAsync()).Request.Id;
        using var first = await second.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var again = await third.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("break_glass_request_not_pending", await again.CodeAsync());
    }

    private static async Task<string> StoredStateAsync(LeasingBroker world, string id)
    {
        await using var db = world.Broker.OpenRawDatabase();
        return await db.ExecuteScalarAsync<string>("SELECT state FROM break_glass_request WHERE id = @id", new { id }) ?? "";
    }
}
