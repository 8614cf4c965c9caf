using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// Break-glass requests in memory with the SQL store's rules, under one lock: each change appends its
/// record to the shared trail and stores the alert it raises in <see cref="Alerts"/> before the lock is
/// released. A request's lease has the request's id and is read from the lease fake.
/// </summary>
internal sealed class InMemoryBreakGlassStore : IBreakGlassStore
{
    private readonly object gate = new();
    private readonly Dictionary<string, Row> rows = new(StringComparer.Ordinal);
    private readonly InMemoryAuditStore trail;
    private readonly InMemoryLeaseStore leases;

    public InMemoryBreakGlassStore(InMemoryAuditStore trail, InMemoryLeaseStore leases)
    {
        this.trail = trail;
        this.leases = leases;
        Alerts = new InMemoryAlertStore(Request);
    }

    /// <summary>The outbox of the alerts these requests raise, which reads them as they are now.</summary>
    public InMemoryAlertStore Alerts { get; }

    public Task InsertAsync(BreakGlassRequest request, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            var stored = request with { RequestedAt = request.RequestedAt.AtStoredPrecision(), ApproveBy = request.ApproveBy.AtStoredPrecision() };
            rows.Add(request.Id, new Row(stored, stored.State == BreakGlassRequest.Approved ? stored.RequestedAt : null, null, null));
            trail.Append(record);
            return Task.CompletedTask;
        }
    }

    public Task<BreakGlassRequest?> FindAsync(string id, CancellationToken ct) => Task.FromResult(Request(id));

    public Task<bool> ApproveAsync(string id, string approver, Instant now, AuditRecord record, CancellationToken ct) =>
        Change(id, record, r => r.Request.State == BreakGlassRequest.Pending && r.Request.ApproveBy > now.AtStoredPrecision() && r.Request.Requester != approver,
            r => r with { Request = r.Request with { State = BreakGlassRequest.Approved, Approver = approver }, ApprovedAt = now.AtStoredPrecision() });

    public Task<bool> MarkIssuedAsync(string id, string? leaseId, BreakGlassAlert? alert, CancellationToken ct)
    {
        lock (gate)
        {
            if (!rows.TryGetValue(id, out var r) || !(r.Request.State == BreakGlassRequest.Approved || (r.Request.State == BreakGlassRequest.Failed && leaseId is not null)))
            {
                return Task.FromResult(false);
            }

            rows[id] = r with { Request = r.Request with { State = leaseId is null ? BreakGlassRequest.Failed : BreakGlassRequest.Issued, LeaseId = leaseId } };
            if (alert is not null)
            {
                Alerts.Store(alert);
            }

            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<(string Id, bool LeaseLive)>> StrandedAsync(Instant approvedBefore, int batch, CancellationToken ct)
    {
        lock (gate)
        {
            var leaseStates = leases.Locked(all => all.ToDictionary(l => l.Id, l => l.State, StringComparer.Ordinal));
            return Task.FromResult<IReadOnlyList<(string, bool)>>(rows.Values
                .Where(r => r.Request.State == BreakGlassRequest.Approved && r.ApprovedAt <= approvedBefore.AtStoredPrecision()
                    && leaseStates.GetValueOrDefault(r.Request.Id) != LeaseState.Issuing)
                .OrderBy(r => r.ApprovedAt)
                .Take(batch)
                .Select(r => (r.Request.Id, leaseStates.GetValueOrDefault(r.Request.Id) == LeaseState.Active))
                .ToList());
        }
    }

    public Task<bool> MarkCollectedAsync(string id, Instant now, AuditRecord record, CancellationToken ct) =>
        Change(id, record, r => r.Request.State == BreakGlassRequest.Issued && r.Request.Approver is not null && r.CollectedAt is null,
            r => r with { CollectedAt = now.AtStoredPrecision() });

    public Task<bool> ReviewAsync(string id, string reviewer, string outcome, string? notes, Instant now, AuditRecord record, CancellationToken ct) =>
        Change(id, record, r => r.Request.State == BreakGlassRequest.Issued && r.Request.ReviewedAt is null && r.Request.Requester != reviewer && r.Request.Approver != reviewer,
            r => r with { Request = r.Request with { Reviewer = reviewer, ReviewOutcome = outcome, ReviewNotes = notes, ReviewedAt = now.AtStoredPrecision() } });

    public Task<int> ExpirePendingAsync(Instant now, Func<string, AuditRecord> recordFor, CancellationToken ct)
    {
        lock (gate)
        {
            var expired = rows.Values.Where(r => r.Request.State == BreakGlassRequest.Pending && r.Request.ApproveBy <= now.AtStoredPrecision()).ToList();
            foreach (var r in expired)
            {
                rows[r.Request.Id] = r with { Request = r.Request with { State = BreakGlassRequest.Expired } };
                trail.Append(recordFor(r.Request.Id));
            }

            return Task.FromResult(expired.Count);
        }
    }

    public Task<IReadOnlyList<BreakGlassRequest>> ListAsync(bool unreviewedOnly, string? after, int limit, CancellationToken ct)
    {
        lock (gate)
        {
            // After a request that is not stored there is no place to start from, so nothing (as SQL's comparison with NULL).
            if (after is not null && !rows.ContainsKey(after))
            {
                return Task.FromResult<IReadOnlyList<BreakGlassRequest>>([]);
            }

            var cursor = after is null ? null : rows[after].Request;
            return Task.FromResult<IReadOnlyList<BreakGlassRequest>>(rows.Values.Select(r => r.Request)
                .Where(r => (!unreviewedOnly || IsUnreviewed(r)) && (cursor is null || IsOlder(r, cursor)))
                .OrderByDescending(r => r.RequestedAt)
                .ThenByDescending(r => r.Id, StringComparer.Ordinal)
                .Take(limit)
                .ToList());
        }
    }

    public Task<IReadOnlyList<BreakGlassRequest>> DueRemindersAsync(Instant requestedBefore, Instant remindedBefore, int batch, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<BreakGlassRequest>>(rows.Values
                .Where(r => IsUnreviewed(r.Request) && r.Request.RequestedAt <= requestedBefore.AtStoredPrecision()
                    && (r.RemindedAt is null || r.RemindedAt <= remindedBefore.AtStoredPrecision()))
                .OrderBy(r => r.Request.RequestedAt)
                .Take(batch)
                .Select(r => r.Request)
                .ToList());
        }
    }

    public Task<bool> MarkRemindedAsync(string id, Instant remindedBefore, Instant now, BreakGlassAlert alert, CancellationToken ct)
    {
        lock (gate)
        {
            var row = rows.GetValueOrDefault(id);
            if (row is null || !IsUnreviewed(row.Request) || row.RemindedAt > remindedBefore.AtStoredPrecision())
            {
                return Task.FromResult(false);
            }

            rows[id] = row with { RemindedAt = now.AtStoredPrecision() };
            Alerts.Store(alert);
            return Task.FromResult(true);
        }
    }

    public Task<BreakGlassBacklog> CountBacklogAsync(Instant now, CancellationToken ct)
    {
        lock (gate)
        {
            var requests = rows.Values.Select(r => r.Request).ToList();
            return Task.FromResult(new BreakGlassBacklog(
                requests.LongCount(r => r.State == BreakGlassRequest.Pending && r.ApproveBy > now.AtStoredPrecision()),
                requests.LongCount(IsUnreviewed)));
        }
    }

    private static bool IsUnreviewed(BreakGlassRequest r) => r.State == BreakGlassRequest.Issued && r.ReviewedAt is null;

    // Newest first orders by (requested_at, id): two requests of one millisecond by their ids.
    private static bool IsOlder(BreakGlassRequest r, BreakGlassRequest cursor) =>
        r.RequestedAt < cursor.RequestedAt || (r.RequestedAt == cursor.RequestedAt && string.CompareOrdinal(r.Id, cursor.Id) < 0);

    private BreakGlassRequest? Request(string id)
    {
        lock (gate)
        {
            return rows.TryGetValue(id, out var r) ? r.Request : null;
        }
    }

    private Task<bool> Change(string id, AuditRecord record, Func<Row, bool> when, Func<Row, Row> change)
    {
        lock (gate)
        {
            if (!rows.TryGetValue(id, out var r) || !when(r))
            {
                return Task.FromResult(false);
            }

            rows[id] = change(r);
            trail.Append(record);
            return Task.FromResult(true);
        }
    }

    /// <summary>A request with what the SQL row keeps beside it and never reads back.</summary>
    private sealed record Row(BreakGlassRequest Request, Instant? ApprovedAt, Instant? CollectedAt, Instant? RemindedAt);
}
