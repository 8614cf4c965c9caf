using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>Leases in PostgreSQL.</summary>
public sealed class PostgresLeaseStore(PostgresDatabase db, PostgresAuditAppender audit) : ILeaseStore
{
    public Task<bool> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct) => throw new NotImplementedException();

    public Task<Lease?> FindAsync(string id, CancellationToken ct) => throw new NotImplementedException();

    public Task<string?> ReadCredentialAsync(string id, CancellationToken ct) => throw new NotImplementedException();

    public Task<Lease?> FindByIdempotencyKeyAsync(string issuer, string subject, string key, CancellationToken ct) => throw new NotImplementedException();

    public Task<Lease?> FindReusableAsync(Lease binding, Instant since, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> RenewAsync(string id, Instant newExpiry, Instant now, string? credentialCiphertext, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> RevokeRunAsync(string issuer, string runId, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> SweepExpiredAsync(Instant now, int batch, string reason, Func<int, AuditRecord> recordFor, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> ReclaimIssuingOfNodeAsync(string node, string exceptIncarnation, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct) => throw new NotImplementedException();

    public Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlySet<string>> LiveHandlesAsync(string provider, IReadOnlyCollection<string> candidates, CancellationToken ct) => throw new NotImplementedException();
}
