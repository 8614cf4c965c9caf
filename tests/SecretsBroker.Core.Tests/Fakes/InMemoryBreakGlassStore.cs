using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// The break-glass store's place among the in-memory stores. No rule of it is kept in memory yet: each
/// member refuses until a contract for <see cref="IBreakGlassStore"/> proves a fake of it against SQLite.
/// </summary>
internal sealed class InMemoryBreakGlassStore : IBreakGlassStore
{
    public Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct) => throw NotKept();

    public Task<BreakGlassRequest?> FindAsync(string id, CancellationToken ct) => throw NotKept();

    public Task<bool> ApproveAsync(string id, string approver, Instant now, AuditRecord record, CancellationToken ct) => throw NotKept();

    public Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct) => throw NotKept();

    public Task<IReadOnlyList<(string Id, bool LeaseLive)>> StrandedAsync(Instant approvedBefore, int batch, CancellationToken ct) => throw NotKept();

    public Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct) => throw NotKept();

    public Task<bool> ReviewAsync(string id, string reviewer, string outcome, string? notes, Instant now, AuditRecord record, CancellationToken ct) => throw NotKept();

    public Task<int> ExpirePendingAsync(Instant now, Func<string, AuditRecord> recordFor, CancellationToken ct) => throw NotKept();

    public Task<IReadOnlyList<BreakGlassRequest>> ListAsync(bool unreviewedOnly, string? after, int limit, CancellationToken ct) => throw NotKept();

    public Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct) => throw NotKept();

    public Task MarkRemindedAsync(string id, Instant now, BreakGlassAlert alert, CancellationToken ct) => throw NotKept();

    private static NotSupportedException NotKept() => new("Break-glass requests are not kept in memory.");
}
