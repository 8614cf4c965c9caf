using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>Break-glass requests in PostgreSQL.</summary>
public sealed class PostgresBreakGlassStore(PostgresDatabase db, PostgresAuditAppender audit) : IBreakGlassStore
{
    public Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<BreakGlassRequest?> FindAsync(string id, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> ApproveAsync(string id, string approver, Instant now, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<(string Id, bool LeaseLive)>> StrandedAsync(Instant approvedBefore, int batch, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> ReviewAsync(string id, string reviewer, string outcome, string? notes, Instant now, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<int> ExpirePendingAsync(Instant now, Func<string, AuditRecord> recordFor, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<BreakGlassRequest>> ListAsync(bool unreviewedOnly, string? after, int limit, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct) => throw new NotImplementedException();

    public Task MarkRemindedAsync(string id, Instant now, BreakGlassAlert alert, CancellationToken ct) => throw new NotImplementedException();
}
