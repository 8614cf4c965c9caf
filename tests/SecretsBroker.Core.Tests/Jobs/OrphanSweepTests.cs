using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Jobs;

public sealed class OrphanSweepTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 23, 9, 0);
    private readonly FakeClock clock = new(Start);
    private readonly InMemoryLeaseStore leases = new();
    private readonly InMemorySecretStore secrets = new();
    private readonly FakeInventory inventory = new();

    [Fact]
    public async Task Downstream_credentials_without_a_live_lease_are_removed_and_audited_and_live_ones_stay()
    {
        var vault = new SecretVault(secrets, new EphemeralDataProtectionProvider(), clock, rotators: [], targetChecks: []);
        await vault.PutAsync("pg-admin", "generic", new Dictionary<string, string> { ["password"] = "p" }, AuditContext.System, default);
        var live = LeaseFactory.Make(Start, Duration.FromMinutes(10), provider: "fake") with { Handle = "sb_live" };
        var revoking = LeaseFactory.Make(Start, Duration.FromMinutes(10), LeaseState.Revoking, provider: "fake") with { Handle = "sb_revoking" };
        var ended = LeaseFactory.Make(Start, Duration.FromMinutes(10), LeaseState.Revoked, provider: "fake") with { Handle = "sb_ended" };
        foreach (var lease in new[] { live, revoking, ended })
        {
            await leases.InsertAsync(lease, null, new AuditRecord(Start, AuditContext.System, "t", "t", AuditDecision.Allowed), default);
        }

        inventory.Handles.AddRange(["sb_live", "sb_revoking", "sb_ended", "sb_unknown"]);
        var audit = new InMemoryAuditStore(new AuditChain(MasterKey.Generate()));

        var removed = await new OrphanSweep(leases, secrets, [inventory], audit, clock).RunAsync(default);

        Assert.Equal(2, removed);
        Assert.Equal(["sb_live", "sb_revoking"], inventory.Handles.Order());
        Assert.Equal(
            ["fake:pg-admin/sb_ended", "fake:pg-admin/sb_unknown"],
            audit.Events.Where(e => e.Action == AuditActions.OrphanRemoved).Select(e => e.Target).Order());
    }

    [Fact]
    public async Task A_target_that_cannot_be_listed_is_skipped()
    {
        var vault = new SecretVault(secrets, new EphemeralDataProtectionProvider(), clock, rotators: [], targetChecks: []);
        await vault.PutAsync("pg-admin", "generic", new Dictionary<string, string> { ["password"] = "p" }, AuditContext.System, default);
        inventory.Handles.Add("sb_unknown");
        inventory.Unreachable = true;

        var removed = await new OrphanSweep(leases, secrets, [inventory], new InMemoryAuditStore(new AuditChain(MasterKey.Generate())), clock).RunAsync(default);

        Assert.Equal(0, removed);
        Assert.Single(inventory.Handles);
    }

    private sealed class FakeInventory : IDownstreamInventory
    {
        public List<string> Handles { get; } = [];

        public bool Unreachable { get; set; }

        public string Provider => "fake";

        public string SecretType => "generic";

        public Task<Result<IReadOnlyList<string>>> ListHandlesAsync(string secret, CancellationToken ct) =>
            Task.FromResult(Unreachable
                ? Result<IReadOnlyList<string>>.Failure(new BrokerError("target_unreachable", "down", ErrorKind.Upstream))
                : Result<IReadOnlyList<string>>.Success(Handles.ToList()));

        public Task<Result<bool>> RemoveAsync(string secret, string handle, CancellationToken ct)
        {
            Handles.Remove(handle);
            return Task.FromResult(Result<bool>.Success(true));
        }
    }
}
