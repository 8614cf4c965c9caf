using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>Completions beside the leases, under the same lock, as the SQL stores keep them in one database.</summary>
internal sealed partial class InMemoryLeaseStore
{
    private readonly List<RunCompletion> completions = [];

    public Task<CompletionOutcome> CompleteAsync(RunCompletion completion, Func<int, bool, AuditRecord> recordFor, CancellationToken ct)
    {
        lock (gate)
        {
            if (completions.Any(c => c.Issuer == completion.Issuer && (c.Delivery == completion.Delivery || c.BodyDigest == completion.BodyDigest)))
            {
                return Task.FromResult(CompletionOutcome.Replay);
            }

            completions.Add(completion with { At = completion.At.AtStoredPrecision() });
            var known = Rows.Values.Any(r => r.Lease.Issuer == completion.Issuer && r.Lease.RunId == completion.RunId && r.Lease.Project == completion.Project);
            var revoked = 0;
            ChangeAll(
                r => r.Lease.Issuer == completion.Issuer && r.Lease.RunId == completion.RunId && r.Lease.Project == completion.Project
                     && (completion.JobId is null || r.Lease.JobId == completion.JobId) && IsLive(r.Lease),
                r => ToRevoking(r, RevokeReasons.RunCompleted, completion.At),
                n =>
                {
                    revoked = n;
                    return recordFor(n, known);
                });
            return Task.FromResult(new CompletionOutcome(false, known, revoked));
        }
    }

    public Task<int> PruneAsync(Instant before, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(completions.RemoveAll(c => c.At < before.AtStoredPrecision()));
        }
    }

    private bool RefusedByCompletion(Lease lease) =>
        lease.Project is not null && completions.Any(c =>
            c.Issuer == lease.Issuer && c.RunId == lease.RunId && c.Project == lease.Project
            && (c.JobId is null || c.JobId == lease.JobId) && lease.TokenIssuedAt is { } issued && c.At >= issued.AtStoredPrecision());
}
