using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Audit;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>An operator breaks glass: a capped, non-renewable lease, audited with the justification and incident.</summary>
public sealed class BreakGlassIssuanceTests
{
    [Fact]
    public async Task The_security_team_lists_break_glass_leases_apart_from_the_others()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var lease = (await issued.ReadAsync()).Lease!.Lease;
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));

        var onlyBreakGlass = (await security.GetFromJsonAsync<Contracts.Identities.LeasePage>("/v1/leases?breakGlass=true"))!;
        var withoutBreakGlass = (await security.GetFromJsonAsync<Contracts.Identities.LeasePage>("/v1/leases?breakGlass=false"))!;
        using var bad = await security.GetAsync("/v1/leases?breakGlass=maybe");

        var listed = Assert.Single(onlyBreakGlass.Leases);
        Assert.Equal(lease.Id, listed.Lease.Id);
        Assert.True(listed.Lease.BreakGlass);
        Assert.DoesNotContain(withoutBreakGlass.Leases, l => l.Lease.Id == lease.Id);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Break_glass_issues_a_lease_capped_by_the_role_that_nobody_can_extend()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var now = world.Broker.Clock.GetCurrentInstant();

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo, ttlSeconds: 4 * 3600);
        var answer = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var lease = answer.Lease!.Lease;
        Assert.NotEmpty(answer.Lease.Credential);
        Assert.Equal("issued", answer.Request.State);
        Assert.Equal(now.ToDateTimeOffset().AddMinutes(30), lease.ExpiresAt);
        Assert.Equal(lease.ExpiresAt, lease.MaxExpiresAt);
        Assert.False(lease.Renewable);
        Assert.Equal("break-glass", lease.Run);
        Assert.Equal("INC-4711", lease.Step);

        var stored = (await world.Broker.Services.GetRequiredService<ILeaseStore>().FindAsync(lease.Id, CancellationToken.None))!;
        Assert.True(stored.BreakGlass);
        Assert.Equal("operator", stored.Issuer);
        var holder = new WorkloadIdentity(stored.Issuer, stored.Subject, new Dictionary<string, string>(), stored.RunId, null, Instant.MaxValue);
        var renewed = await world.Broker.Services.GetRequiredService<LeaseRenewer>()
            .RenewAsync(new LeaseCaller(holder, false, AuditContext.System), lease.Id, Duration.FromHours(1), CancellationToken.None);
        Assert.Equal("break_glass_not_renewable", renewed.Error?.Code);
    }

    [Fact]
    public async Task Without_a_ttl_the_lease_lives_for_the_default_cap_of_one_hour()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var now = world.Broker.Clock.GetCurrentInstant();

        // The two-person role names no max_ttl: the default cap applies once approved.
        using var asked = await oncall.BreakGlassAsync(BreakGlassWorld.TwoPerson);
        using var second = await world.OperatorAsync("second");
        var id = (await asked.ReadAsync()).Request.Id;
        using var approved = await second.PostAsync($"{Routes.BreakGlass}/{id}/approve", null);
        using var collected = await oncall.PostAsync($"{Routes.BreakGlass}/{id}/credential", null);

        Assert.Equal(now.ToDateTimeOffset().AddHours(1), (await collected.ReadAsync()).Lease!.Lease.ExpiresAt);
    }

    [Fact]
    public async Task A_role_the_policy_does_not_open_for_break_glass_is_refused()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(TestSupport.LeasingBroker.Role);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("break_glass_not_allowed", await response.CodeAsync());
    }

    [Theory]
    [InlineData("too short", "INC-1", "justification_too_short")]
    [InlineData(null, "INC-1", "justification_too_short")]
    [InlineData(BreakGlassWorld.Justification, null, "incident_required")]
    [InlineData(BreakGlassWorld.Justification, "", "incident_required")]
    [InlineData(BreakGlassWorld.Justification, "see slack", "invalid_incident")]
    public async Task A_short_justification_or_a_missing_incident_is_refused(string? justification, string? incident, string code)
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo, justification, incident);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await response.CodeAsync());
    }

    [Fact]
    public async Task A_justification_over_a_thousand_characters_is_too_long()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo, new string('x', 1001));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("justification_too_long", await response.CodeAsync());
    }

    [Fact]
    public async Task A_token_without_the_operator_scope_cannot_break_glass()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var security = world.Broker.Client(await world.Broker.CreateTokenAsync("sec", "security"));

        using var response = await security.BreakGlassAsync(BreakGlassWorld.Solo);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_trail_records_the_justification_and_incident_but_never_the_credential()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");

        using var response = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        var issued = (await response.ReadAsync()).Lease!;
        using var admin = world.Broker.Admin();
        var trail = (await admin.GetFromJsonAsync<AuditPage>($"{Routes.Audit}?limit=1000"))!;

        var request = Assert.Single(trail.Events, e => e.Action == "break_glass.request");
        Assert.Contains("INC-4711", request.Reason, StringComparison.Ordinal);
        Assert.Contains(BreakGlassWorld.Justification, request.Reason, StringComparison.Ordinal);
        Assert.Single(trail.Events, e => e.Action == "break_glass.issue" && e.Target.Contains(issued.Lease.Id, StringComparison.Ordinal));
        foreach (var value in issued.Credential.Values)
        {
            Assert.DoesNotContain(trail.Events, e => (e.Reason ?? "").Contains(value, StringComparison.Ordinal) || e.Target.Contains(value, StringComparison.Ordinal));
        }
    }
}
