using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Jobs;

public sealed class RevocationTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 23, 9, 0);
    private readonly FakeClock clock = new(Start);
    private readonly InMemoryLeaseStore store = new();
    private readonly FlakyProvider provider = new();
    private readonly RevocationBackoff backoff = new(Duration.FromSeconds(1), Duration.FromSeconds(30), FailuresBeforeAlert: 3);

    private readonly RecordedAttempts attempts = new();

    private LeaseRevoker Revoker() => new(store, new ProviderRegistry([provider]), backoff, attempts, clock);

    private async Task<Lease> AddAsync(Duration ttl, string state = LeaseState.Active)
    {
        var lease = LeaseFactory.Make(clock.GetCurrentInstant(), ttl, state);
        await store.InsertAsync(lease, null, new AuditRecord(Start, AuditContext.System, "t", "t", AuditDecision.Allowed), default);
        return lease;
    }

    [Fact]
    public async Task The_sweep_moves_only_expired_active_leases_to_revoking()
    {
        var expired = await AddAsync(Duration.FromMinutes(1));
        var live = await AddAsync(Duration.FromMinutes(10));
        clock.Advance(Duration.FromMinutes(1));

        var moved = await new ExpirySweep(store, clock).RunAsync(default);

        Assert.Equal(1, moved);
        Assert.Equal(LeaseState.Revoking, (await store.FindAsync(expired.Id, default))!.State);
        Assert.Equal("expired", (await store.FindAsync(expired.Id, default))!.RevokeReason);
        Assert.Equal(LeaseState.Active, (await store.FindAsync(live.Id, default))!.State);
    }

    [Fact]
    public async Task A_revoking_lease_is_revoked_downstream_and_marked_revoked()
    {
        var lease = await AddAsync(Duration.FromMinutes(1));
        await store.RevokeAsync(lease.Id, "revoked_by_caller", clock.GetCurrentInstant(), new AuditRecord(Start, AuditContext.System, "t", "t", AuditDecision.Allowed), default);

        var revoked = await Revoker().RunAsync(default);

        Assert.Equal(1, revoked);
        Assert.Equal(LeaseState.Revoked, (await store.FindAsync(lease.Id, default))!.State);
    }

    [Fact]
    public void Failed_revocations_back_off_exponentially_up_to_the_cap()
    {
        Assert.Equal(
            [1, 2, 4, 8, 16, 30, 30],
            Enumerable.Range(1, 7).Select(n => (int)backoff.After(n).TotalSeconds));
    }

    [Fact]
    public async Task A_lease_that_keeps_failing_becomes_revoke_failed_with_one_alert_and_is_still_retried_until_it_succeeds()
    {
        var lease = await AddAsync(Duration.FromMinutes(1));
        await store.RevokeAsync(lease.Id, "revoked_by_caller", clock.GetCurrentInstant(), new AuditRecord(Start, AuditContext.System, "t", "t", AuditDecision.Allowed), default);
        provider.FailuresLeft = 5;
        var revoker = Revoker();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Assert.Equal(0, await revoker.RunAsync(default));
            Assert.Equal(0, await revoker.RunAsync(default)); // not due again before its backoff has passed
            clock.Advance(backoff.After(attempt));
        }

        var stuck = (await store.FindAsync(lease.Id, default))!;
        var revokedAtLast = await revoker.RunAsync(default);

        Assert.Equal(LeaseState.RevokeFailed, stuck.State);
        Assert.Single(store.Audit, a => a.Action == AuditActions.LeaseRevokeFailed);
        Assert.Equal(1, revokedAtLast);
        Assert.Equal(LeaseState.Revoked, (await store.FindAsync(lease.Id, default))!.State);
        Assert.Equal(6, provider.RevokeCalls);
        Assert.Equal(
            [("fake", false, false), ("fake", true, false), ("fake", true, false), ("fake", true, false), ("fake", true, false), ("fake", true, true)],
            attempts.Seen);
    }

    [Fact]
    public async Task Reconciliation_revokes_leases_left_in_issuing_by_a_crash_but_not_fresh_ones()
    {
        var settings = new LeaseSettings(Duration.FromSeconds(60), Duration.FromSeconds(60));
        var stuck = await AddAsync(Duration.FromMinutes(10), LeaseState.Issuing);
        clock.Advance(Duration.FromSeconds(61));
        var fresh = await AddAsync(Duration.FromMinutes(10), LeaseState.Issuing);

        var (reclaimed, revoked) = await new Reconciliation(store, Revoker(), settings, clock).RunAsync(LeaseWriter.StartOn("node-a"), default);

        Assert.Equal((1, 1), (reclaimed, revoked));
        Assert.Equal(LeaseState.Revoked, (await store.FindAsync(stuck.Id, default))!.State);
        Assert.Equal(LeaseState.Issuing, (await store.FindAsync(fresh.Id, default))!.State);
        Assert.Equal(1, provider.RevokeCalls);
    }

    /// <summary>Every attempt the revoker reports, in order.</summary>
    private sealed class RecordedAttempts : IRevocationAttempts
    {
        public List<(string Provider, bool Retry, bool Revoked)> Seen { get; } = [];

        public void Attempted(string provider, bool retry, bool revoked) => Seen.Add((provider, retry, revoked));
    }
}
