using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// The identity store's place among the in-memory stores. No rule of it is kept in memory yet: each
/// member refuses until a contract for <see cref="IIdentityStore"/> proves a fake of it against SQLite.
/// </summary>
internal sealed class InMemoryIdentityStore : IIdentityStore
{
    public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) => throw NotKept();

    public Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct) => throw NotKept();

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) => throw NotKept();

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) => throw NotKept();

    public Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct) => throw NotKept();

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) => throw NotKept();

    public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) => throw NotKept();

    private static NotSupportedException NotKept() => new("Identities are not kept in memory.");
}
