using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>Leases in a dictionary with the same state rules as the SQL stores.</summary>
internal sealed partial class InMemoryLeaseStore(InMemoryAuditStore trail) : ILeaseStore
{
    private readonly object gate = new();

    public Dictionary<string, (Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt)> Rows { get; } = [];

    /// <summary>A trail of its own; <see cref="Contracts.InMemoryStores"/> passes one shared by every fake.</summary>
    public InMemoryLeaseStore()
        : this(new InMemoryAuditStore())
    {
    }

    /// <summary>The trail this store appends to, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit => trail.Events;

    public Task<bool> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (lease.IdempotencyKey is not null && Rows.Values.Any(r => r.Lease.Issuer == lease.Issuer && r.Lease.Subject == lease.Subject && r.Lease.IdempotencyKey == lease.IdempotencyKey))
            {
                return Task.FromResult(false);
            }

            Rows[lease.Id] = (lease, credentialCiphertext, 0, null);
            trail.Append(record);
            return Task.FromResult(true);
        }
    }

    public Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct) =>
        Change(id, r => r.Lease.State == LeaseState.Issuing, r => (r.Lease with { State = LeaseState.Active }, credentialCiphertext, r.Attempts, r.NextAttemptAt));

    public Task<Lease?> FindAsync(string id, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Rows.TryGetValue(id, out var r) ? r.Lease : null);
        }
    }

    public Task<string?> ReadCredentialAsync(string id, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Rows.TryGetValue(id, out var r) && r.Lease.State == LeaseState.Active ? r.Credential : null);
        }
    }

    public Task<Lease?> FindByIdempotencyKeyAsync(string issuer, string subject, string key, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Rows.Values.Select(r => r.Lease).FirstOrDefault(l => l.Issuer == issuer && l.Subject == subject && l.IdempotencyKey == key));
        }
    }

    public Task<Lease?> FindReusableAsync(Lease binding, Instant since, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Rows.Values.Select(r => r.Lease).Where(l =>
                l.Issuer == binding.Issuer && l.Subject == binding.Subject && l.RunId == binding.RunId && l.JobId == binding.JobId
                && l.Step == binding.Step && l.Purpose == binding.Purpose && l.Role == binding.Role
                && l.State == LeaseState.Active && l.IssuedAt >= since).OrderByDescending(l => l.IssuedAt).FirstOrDefault());
        }
    }

    public async Task<bool> RenewAsync(string id, Instant newExpiry, Instant now, string? credentialCiphertext, AuditRecord record, CancellationToken ct)
    {
        var ok = await Change(id, r => r.Lease.State == LeaseState.Active && r.Lease.ExpiresAt > now, r => (r.Lease with { ExpiresAt = newExpiry }, credentialCiphertext ?? r.Credential, r.Attempts, r.NextAttemptAt));
        if (ok)
        {
            lock (gate)
            {
                trail.Append(record);
            }
        }

        return ok;
    }

    public async Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct)
    {
        var ok = await Change(id, r => r.Lease.State is LeaseState.Issuing or LeaseState.Active, r => ToRevoking(r, reason, now));
        if (ok)
        {
            lock (gate)
            {
                trail.Append(record);
            }
        }

        return ok;
    }

    public Task<int> RevokeRunAsync(string issuer, string runId, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ChangeAll(r => r.Lease.Issuer == issuer && r.Lease.RunId == runId && r.Lease.State is LeaseState.Issuing or LeaseState.Active, r => ToRevoking(r, reason, now), recordFor, alwaysAudit: true);

    public Task<int> SweepExpiredAsync(Instant now, int batch, string reason, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ChangeAll(r => r.Lease.State == LeaseState.Active && r.Lease.ExpiresAt <= now, r => ToRevoking(r, reason, now), recordFor, alwaysAudit: false, batch);

    public Task<int> ReclaimIssuingOfNodeAsync(string node, string exceptIncarnation, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ReclaimIssuingAsync(l => l.Writer is { } w && w.Node == node && w.Incarnation != exceptIncarnation, reason, now, recordFor);

    public Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ReclaimIssuingAsync(l => l.IssuedAt < issuedBefore, reason, now, recordFor);

    public Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<LeaseRevocation>>(Rows.Values
                .Where(r => r.Lease.State is LeaseState.Revoking or LeaseState.RevokeFailed && r.NextAttemptAt <= now)
                .OrderBy(r => r.NextAttemptAt).Take(batch).Select(r => new LeaseRevocation(r.Lease, r.Attempts)).ToList());
        }
    }

    public Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct)
    {
        lock (gate)
        {
            foreach (var o in outcomes)
            {
                var r = Rows[o.LeaseId];
                Rows[o.LeaseId] = o.Revoked
                    ? (r.Lease with { State = LeaseState.Revoked }, null, o.Attempts, null)
                    : (o.Failed ? r.Lease with { State = LeaseState.RevokeFailed } : r.Lease, null, o.Attempts, o.NextAttemptAt);
            }

            foreach (var alert in alerts)
            {
                trail.Append(alert);
            }

            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, long>>(Rows.Values.GroupBy(r => r.Lease.State).ToDictionary(g => g.Key, g => (long)g.Count()));
        }
    }

    /// <summary>Every lease as stored now, for the fakes that read leases beside this store (the inventory).</summary>
    public IReadOnlyList<Lease> Snapshot()
    {
        lock (gate)
        {
            return Rows.Values.Select(r => r.Lease).ToList();
        }
    }

    public Task<IReadOnlySet<string>> LiveHandlesAsync(string provider, IReadOnlyCollection<string> candidates, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlySet<string>>(Rows.Values.Select(r => r.Lease)
                .Where(l => l.Provider == provider && candidates.Contains(l.Handle) && l.State is not LeaseState.Revoked)
                .Select(l => l.Handle)
                .ToHashSet());
        }
    }

    private Task<int> ReclaimIssuingAsync(Func<Lease, bool> which, string reason, Instant now, Func<int, AuditRecord> recordFor) =>
        ChangeAll(r => r.Lease.State == LeaseState.Issuing && which(r.Lease), r => ToRevoking(r, reason, now), recordFor, alwaysAudit: false);

    private static (Lease, string?, int, Instant?) ToRevoking((Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt) r, string reason, Instant now) =>
        (r.Lease with { State = LeaseState.Revoking, RevokeReason = reason, RevokedAt = now }, null, r.Attempts, now);

    private Task<bool> Change(string id, Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), bool> when, Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), (Lease, string?, int, Instant?)> change)
    {
        lock (gate)
        {
            if (!Rows.TryGetValue(id, out var r) || !when(r))
            {
                return Task.FromResult(false);
            }

            Rows[id] = change(r);
            return Task.FromResult(true);
        }
    }

    private Task<int> ChangeAll(Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), bool> when, Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), (Lease, string?, int, Instant?)> change, Func<int, AuditRecord> recordFor, bool alwaysAudit, int limit = int.MaxValue)
    {
        lock (gate)
        {
            var ids = Rows.Where(kv => when(kv.Value)).Select(kv => kv.Key).Take(limit).ToList();
            ids.ForEach(id => Rows[id] = change(Rows[id]));
            if (alwaysAudit || ids.Count > 0)
            {
                trail.Append(recordFor(ids.Count));
            }

            return Task.FromResult(ids.Count);
        }
    }
}
