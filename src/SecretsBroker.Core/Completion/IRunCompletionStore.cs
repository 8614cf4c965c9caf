using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Core.Completion;

/// <summary>
/// Runs and jobs the CI platforms reported finished, at rest. A recorded completion ends the run's (or
/// the job's) live leases and makes <see cref="Leasing.ILeaseStore.InsertAsync"/> refuse a new lease of it
/// whose token was issued at or before the completion: a step still in flight when its run ended.
/// </summary>
public interface IRunCompletionStore
{
    /// <summary>
    /// In one transaction: the delivery recorded (a delivery id or body seen before changes nothing and
    /// answers <see cref="CompletionOutcome.Replay"/>), the completion recorded, every live lease of the
    /// run (of the job, for a job event) in that project to <c>revoking</c> as <c>run_completed</c>, and the
    /// audit event <paramref name="recordFor"/> makes of the count and whether the run was known.
    /// </summary>
    Task<CompletionOutcome> CompleteAsync(RunCompletion completion, Func<int, bool, AuditRecord> recordFor, CancellationToken ct);

    /// <summary>Forgets deliveries and completions received before <paramref name="before"/>; returns how many rows.</summary>
    Task<int> PruneAsync(Instant before, CancellationToken ct);
}
