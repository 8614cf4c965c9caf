using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>An identity store with no block rules that records nothing: the block check runs and lets every caller through.</summary>
internal sealed class NoIdentities : IIdentityStore
{
    public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) => Task.CompletedTask;

    public Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct) => Task.FromResult<IReadOnlyList<SeenIdentity>>([]);

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) => Task.FromResult(0);

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) => Task.FromResult(0);

    public Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct) => Task.FromResult<RevocationProgress?>(null);

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) => Task.FromResult(false);

    public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<BlockRule>>([]);
}
