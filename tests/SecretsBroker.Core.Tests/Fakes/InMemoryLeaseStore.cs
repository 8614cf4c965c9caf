using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// Leases in a dictionary with the SQL store's rules (proven by the lease store contract): one lease per
/// idempotency key, state changes only from the states the SQL statements name, instants kept and
/// compared at the stored precision, and readers never given the claims or writer a lease was stored with.
/// </summary>
internal sealed partial class InMemoryLeaseStore(InMemoryAuditStore trail) : ILeaseStore, IRunCompletionStore
{
    private readonly object gate = new();

    /// <summary>A trail of its own; <see cref="Contracts.InMemoryStores"/> passes one shared by every fake.</summary>
    public InMemoryLeaseStore()
        : this(new InMemoryAuditStore())
    {
    }

    /// <summary>The trail this store appends to, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit => trail.Events;

    /// <summary>
    /// Where a lease that <see cref="Lease.MarksIdentitySeen"/> records its identity, under this store's
    /// lock as one transaction: set by the <see cref="InMemoryIdentityStore"/> over these rows.
    /// </summary>
    public Action<Lease>? Sightings { get; set; }

    /// <summary>The rows as stored, writer and claims included.</summary>
    public Dictionary<string, (Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt)> Rows { get; } = [];

    public Task<LeaseInsert> InsertAsync(Lease lease, string? credentialCiphertext, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (RefusedByCompletion(lease))
            {
                return Task.FromResult(LeaseInsert.RunCompleted);
            }

            if (lease.IdempotencyKey is not null && Rows.Values.Any(r => r.Lease.Issuer == lease.Issuer && r.Lease.Subject == lease.Subject && r.Lease.IdempotencyKey == lease.IdempotencyKey))
            {
                return Task.FromResult(LeaseInsert.KeyTaken);
            }

            if (Rows.ContainsKey(lease.Id))
            {
                throw new InvalidOperationException("A lease with this id is already stored.");
            }

            var stored = lease with
            {
                IssuedAt = lease.IssuedAt.AtStoredPrecision(),
                ExpiresAt = lease.ExpiresAt.AtStoredPrecision(),
                MaxExpiresAt = lease.MaxExpiresAt.AtStoredPrecision(),
                RevokeReason = null,
                RevokedAt = null,
                TokenIssuedAt = null,
                MarksIdentitySeen = false,
            };
            Rows[lease.Id] = (stored, credentialCiphertext, 0, null);
            if (lease.MarksIdentitySeen && lease.Claims is not null)
            {
                Sightings?.Invoke(stored);
            }

            trail.Append(record);
            return Task.FromResult(LeaseInsert.Inserted);
        }
    }

    public Task<bool> ActivateAsync(string id, string credentialCiphertext, CancellationToken ct) =>
        Change(id, r => r.Lease.State == LeaseState.Issuing, r => (r.Lease with { State = LeaseState.Active }, credentialCiphertext, r.Attempts, r.NextAttemptAt), null);

    public Task<Lease?> FindAsync(string id, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Rows.TryGetValue(id, out var r) ? AsRead(r.Lease) : null);
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
            return Task.FromResult(Rows.Values.Select(r => r.Lease).Where(l => l.Issuer == issuer && l.Subject == subject && l.IdempotencyKey == key).Select(AsRead).FirstOrDefault());
        }
    }

    public Task<Lease?> FindReusableAsync(Lease binding, Instant since, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Rows.Values.Select(r => r.Lease).Where(l =>
                l.Issuer == binding.Issuer && l.Subject == binding.Subject && l.RunId == binding.RunId && l.JobId == binding.JobId
                && l.Step == binding.Step && l.Purpose == binding.Purpose && l.Role == binding.Role
                && l.State == LeaseState.Active && l.IssuedAt >= since.AtStoredPrecision()).OrderByDescending(l => l.IssuedAt).Select(AsRead).FirstOrDefault());
        }
    }

    public Task<bool> RenewAsync(string id, Instant newExpiry, Instant now, string? credentialCiphertext, AuditRecord record, CancellationToken ct) =>
        Change(
            id,
            r => r.Lease.State == LeaseState.Active && r.Lease.ExpiresAt > now.AtStoredPrecision() && !r.Lease.BreakGlass,
            r => (r.Lease with { ExpiresAt = newExpiry.AtStoredPrecision() }, credentialCiphertext ?? r.Credential, r.Attempts, r.NextAttemptAt),
            record);

    public Task<bool> RevokeAsync(string id, string reason, Instant now, AuditRecord record, CancellationToken ct) =>
        Change(id, r => IsLive(r.Lease), r => ToRevoking(r, reason, now), record);

    public Task<int> RevokeRunAsync(string issuer, string runId, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ChangeAll(r => r.Lease.Issuer == issuer && r.Lease.RunId == runId && IsLive(r.Lease), r => ToRevoking(r, reason, now), recordFor);

    public Task<int> SweepExpiredAsync(Instant now, int batch, string reason, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ChangeAll(
            r => r.Lease.State == LeaseState.Active && r.Lease.ExpiresAt <= now.AtStoredPrecision(),
            r => ToRevoking(r, reason, now),
            n => n > 0 ? recordFor(n) : null,
            batch);

    public Task<int> ReclaimIssuingOfNodeAsync(string node, string exceptIncarnation, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ReclaimIssuingAsync(l => l.Writer is { } w && w.Node == node && w.Incarnation != exceptIncarnation, reason, now, recordFor);

    public Task<int> ReclaimStuckIssuingAsync(Instant issuedBefore, string reason, Instant now, Func<int, AuditRecord> recordFor, CancellationToken ct) =>
        ReclaimIssuingAsync(l => l.IssuedAt < issuedBefore.AtStoredPrecision(), reason, now, recordFor);

    /// <summary>Claims what it hands out by pushing the next attempt out, as the SQL stores do.</summary>
    public Task<IReadOnlyList<LeaseRevocation>> DueRevocationsAsync(Instant now, int batch, CancellationToken ct)
    {
        lock (gate)
        {
            var due = Rows.Values
                .Where(r => r.Lease.State is LeaseState.Revoking or LeaseState.RevokeFailed && r.NextAttemptAt <= now.AtStoredPrecision())
                .OrderBy(r => r.NextAttemptAt).Take(batch).ToList();
            foreach (var r in due)
            {
                Rows[r.Lease.Id] = r with { NextAttemptAt = (now + LeaseRevocation.ClaimedFor).AtStoredPrecision() };
            }

            return Task.FromResult<IReadOnlyList<LeaseRevocation>>(due.Select(r => new LeaseRevocation(AsRead(r.Lease), r.Attempts)).ToList());
        }
    }

    /// <summary>Erases the credential of every lease named; moves on only those still being cleaned up.</summary>
    public Task CompleteRevocationsAsync(IReadOnlyList<RevocationOutcome> outcomes, IReadOnlyList<AuditRecord> alerts, CancellationToken ct)
    {
        lock (gate)
        {
            foreach (var o in outcomes)
            {
                if (!Rows.TryGetValue(o.LeaseId, out var r))
                {
                    continue;
                }

                Rows[o.LeaseId] = r.Lease.State is not (LeaseState.Revoking or LeaseState.RevokeFailed)
                    ? (r.Lease, null, r.Attempts, r.NextAttemptAt)
                    : o.Revoked
                        ? (r.Lease with { State = LeaseState.Revoked }, null, o.Attempts, null)
                        : (o.Failed ? r.Lease with { State = LeaseState.RevokeFailed } : r.Lease, null, o.Attempts, o.NextAttemptAt?.AtStoredPrecision());
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

    public Task<Instant?> OldestUnsweptExpiryAsync(Instant now, CancellationToken ct)
    {
        lock (gate)
        {
            var unswept = Rows.Values.Where(r => r.Lease.State == LeaseState.Active && r.Lease.ExpiresAt <= now).Select(r => (Instant?)r.Lease.ExpiresAt);
            return Task.FromResult(unswept.Min());
        }
    }

    /// <summary>Every lease as a reader gets it, for the fakes that read leases beside this store (the inventory).</summary>
    public IReadOnlyList<Lease> Snapshot()
    {
        lock (gate)
        {
            return Rows.Values.Select(r => AsRead(r.Lease)).ToList();
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

    /// <summary>The claim set and writer are kept for the store's own statements and never read back.</summary>
    private static Lease AsRead(Lease lease) => lease with { Claims = null, Writer = null, TokenIssuedAt = null };

    private static bool IsLive(Lease lease) => lease.State is LeaseState.Issuing or LeaseState.Active;

    private Task<int> ReclaimIssuingAsync(Func<Lease, bool> which, string reason, Instant now, Func<int, AuditRecord> recordFor) =>
        ChangeAll(r => r.Lease.State == LeaseState.Issuing && which(r.Lease), r => ToRevoking(r, reason, now), n => n > 0 ? recordFor(n) : null);

    /// <summary>Ending a lease makes its clean-up due now and erases its credential.</summary>
    private static (Lease, string?, int, Instant?) ToRevoking((Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt) r, string reason, Instant now) =>
        (r.Lease with { State = LeaseState.Revoking, RevokeReason = reason, RevokedAt = now.AtStoredPrecision() }, null, r.Attempts, now.AtStoredPrecision());

    private Task<bool> Change(
        string id,
        Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), bool> when,
        Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), (Lease, string?, int, Instant?)> change,
        AuditRecord? record)
    {
        lock (gate)
        {
            if (!Rows.TryGetValue(id, out var r) || !when(r))
            {
                return Task.FromResult(false);
            }

            Rows[id] = change(r);
            if (record is not null)
            {
                trail.Append(record);
            }

            return Task.FromResult(true);
        }
    }

    private Task<int> ChangeAll(
        Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), bool> when,
        Func<(Lease Lease, string? Credential, int Attempts, Instant? NextAttemptAt), (Lease, string?, int, Instant?)> change,
        Func<int, AuditRecord?> recordFor,
        int limit = int.MaxValue)
    {
        lock (gate)
        {
            var ids = Rows.Where(kv => when(kv.Value)).Select(kv => kv.Key).Take(limit).ToList();
            ids.ForEach(id => Rows[id] = change(Rows[id]));
            if (recordFor(ids.Count) is { } record)
            {
                trail.Append(record);
            }

            return Task.FromResult(ids.Count);
        }
    }
}
