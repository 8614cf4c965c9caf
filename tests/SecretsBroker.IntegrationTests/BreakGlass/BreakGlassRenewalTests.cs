using System.Net;
using System.Net.Http.Json;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.IntegrationTests.Http;

namespace SecretsBroker.IntegrationTests.BreakGlass;

/// <summary>
/// A break-glass lease is never renewed. Its holder, asking with the operator token that owns it, is
/// told exactly that; any other operator learns nothing about the lease.
/// </summary>
public sealed class BreakGlassRenewalTests
{
    private static async Task<LeaseInfo> BreakGlassLeaseAsync(HttpClient oncall)
    {
        using var issued = await oncall.BreakGlassAsync(BreakGlassWorld.Solo);
        await issued.ShouldBeAsync(HttpStatusCode.Created);
        return (await issued.ReadAsync()).Lease!.Lease;
    }

    [Fact]
    public async Task The_holder_renewing_their_own_break_glass_lease_is_told_it_is_not_renewable()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var lease = await BreakGlassLeaseAsync(oncall);

        using var response = await oncall.PostAsJsonAsync($"{Routes.Leases}/{lease.Id}/renew", new RenewLeaseRequest(600));

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "break_glass_not_renewable");
        using var after = await oncall.GetAsync($"{Routes.Leases}/{lease.Id}");
        Assert.Equal(lease.ExpiresAt, (await after.Content.ReadFromJsonAsync<LeaseInfo>())!.ExpiresAt);
    }

    [Fact]
    public async Task Another_operator_renewing_a_break_glass_lease_still_gets_insufficient_scope()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        using var colleague = await world.OperatorAsync("colleague");
        var lease = await BreakGlassLeaseAsync(oncall);

        using var response = await colleague.PostAsJsonAsync($"{Routes.Leases}/{lease.Id}/renew", new RenewLeaseRequest(600));

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Theory]
    [InlineData("operator")]
    [InlineData("security")]
    [InlineData("admin")]
    public async Task An_operator_token_renewing_a_workload_lease_or_no_lease_still_gets_insufficient_scope(string scope)
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var runner = world.Runner();
        var workloadLease = await world.IssueAsync(runner, "deploy");
        using var caller = world.Broker.Client(await world.Broker.CreateTokenAsync("someone", scope));

        using var forWorkloadLease = await caller.PostAsJsonAsync($"{Routes.Leases}/{workloadLease.Lease.Id}/renew", new RenewLeaseRequest(600));
        using var forNoLease = await caller.PostAsJsonAsync($"{Routes.Leases}/not-a-lease/renew", new RenewLeaseRequest(600));

        await forWorkloadLease.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await forNoLease.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task Renewing_without_a_token_is_still_unauthenticated()
    {
        await using var world = await BreakGlassWorld.StartAsync();
        using var oncall = await world.OperatorAsync("oncall");
        var lease = await BreakGlassLeaseAsync(oncall);
        using var anonymous = world.Broker.Client();

        using var response = await anonymous.PostAsJsonAsync($"{Routes.Leases}/{lease.Id}/renew", new RenewLeaseRequest(600));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
