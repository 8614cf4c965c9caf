using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Compromise;

/// <summary>A block that comes into force while a lease is being issued still keeps the credential from the blocked identity.</summary>
public sealed class IdentityBlockRaceTests
{
    private static readonly AuditContext Request = new("workload:github:repo:acme/app", "req", "127.0.0.1", null);
    private readonly FakeClock clock = new(Instant.FromUtc(2026, 11, 23, 9, 0));
    private readonly InMemoryLeaseStore store = new();
    private readonly FlakyProvider provider = new();

    [Fact]
    public async Task A_block_that_comes_into_force_while_the_lease_is_minted_revokes_the_lease_and_refuses_with_identity_blocked()
    {
        using var gate = new IdentityGate(new NoIdentities(), new OneProcessBlockRules());
        var leasing = new InMemoryLeasing(
            store,
            new InMemoryAuditStore(new AuditChain(SecretsBroker.Core.Secrets.MasterKey.Generate())),
            new FixedPolicy(),
            provider,
            gate,
            LeaseWriter.StartOn("node-a"),
            clock);
        var who = new WorkloadIdentity("github", "repo:acme/app", new Dictionary<string, string> { ["repository"] = "acme/app", ["run_id"] = "42" }, "42", "7", clock.GetCurrentInstant() + Duration.FromMinutes(5));
        string? minted = null;
        provider.OnMint = lease =>
        {
            minted = lease.Id;
            gate.AddAsync(new BlockRule(new IdentityTarget("github", null, "repository", "acme/app"), "stolen", "rev_1", clock.GetCurrentInstant()), default).GetAwaiter().GetResult();
        };

        var issued = await leasing.Issuer.IssueAsync(who, new IssueLeaseCommand("deploy-api", "42", "deploy", "smoke", null, null), Request, default);

        Assert.False(issued.IsSuccess);
        Assert.Equal(ErrorCodes.IdentityBlocked, issued.Error!.Code);
        Assert.Equal(LeaseState.Revoking, (await store.FindAsync(minted!, default))!.State);
    }

    [Fact]
    public async Task On_a_shared_store_a_block_another_node_committed_while_the_lease_was_minted_revokes_it_though_this_node_never_heard_of_it()
    {
        var identities = new OtherNodesBlocks();
        using var gate = new IdentityGate(identities, new OneProcessBlockRules(shared: true));
        var leasing = new InMemoryLeasing(
            store,
            new InMemoryAuditStore(new AuditChain(SecretsBroker.Core.Secrets.MasterKey.Generate())),
            new FixedPolicy(),
            provider,
            gate,
            LeaseWriter.StartOn("node-b"),
            clock);
        var who = new WorkloadIdentity("github", "repo:acme/app", new Dictionary<string, string> { ["repository"] = "acme/app", ["run_id"] = "42" }, "42", "7", clock.GetCurrentInstant() + Duration.FromMinutes(5));
        string? minted = null;
        provider.OnMint = lease =>
        {
            minted = lease.Id;
            identities.Committed = [new BlockRule(new IdentityTarget("github", "repo:acme/app", null, null), "stolen", "rev_1", clock.GetCurrentInstant())];
        };

        var issued = await leasing.Issuer.IssueAsync(who, new IssueLeaseCommand("deploy-api", "42", "deploy", "smoke", null, null), Request, default);

        Assert.Equal(ErrorCodes.IdentityBlocked, issued.Error?.Code);
        Assert.Equal(LeaseState.Revoking, (await store.FindAsync(minted!, default))!.State);
        Assert.NotNull(await gate.BlockOfAsync(who, default));
    }

    /// <summary>An identity store whose block rules another node writes: this node's gate is never told.</summary>
    private sealed class OtherNodesBlocks : IIdentityStore
    {
        private readonly NoIdentities nothing = new();

        public IReadOnlyList<BlockRule> Committed { get; set; } = [];

        public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) => Task.FromResult(Committed);

        public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) => nothing.RecordSeenAsync(who, claimsJson, now, ct);

        public Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct) => nothing.PageAsync(after, limit, now, ct);

        public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) => nothing.RevokeAsync(revocation, recordFor, ct);

        public Task<int> PruneClaimSetsAsync(CancellationToken ct) => nothing.PruneClaimSetsAsync(ct);

        public Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct) => nothing.ProgressAsync(revocationId, ct);

        public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) => nothing.UnblockAsync(target, record, ct);
    }
}
