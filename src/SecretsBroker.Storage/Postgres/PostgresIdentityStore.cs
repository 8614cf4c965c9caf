using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>Workload identities, revocations and block rules in PostgreSQL.</summary>
public sealed class PostgresIdentityStore(PostgresDatabase db, PostgresAuditAppender audit) : IIdentityStore
{
    public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> PruneClaimSetsAsync(CancellationToken ct) => throw new NotImplementedException();

    public Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) => throw new NotImplementedException();
}
