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
        using var gate = new IdentityGate(new NoIdentities());
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
}
