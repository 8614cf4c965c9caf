using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Completion;

/// <summary>
/// Ends leases when a CI platform says a run or job finished, whoever's step never called
/// <c>sbctl run complete</c> (a cancelled, failed or timed-out job). Every completion is audited with
/// its delivery id, a run the broker never leased to included; a delivery seen before is not.
/// </summary>
public sealed class WebhookCompletions(IRunCompletionStore store, IClock clock)
{
    /// <summary>
    /// How long deliveries and completions are kept: longer than a platform lets a delivery be sent
    /// again (GitHub: 3 days), and than a CI token issued before its run ended stays valid.
    /// </summary>
    public static Duration RetainedFor { get; } = Duration.FromDays(14);

    public Task<CompletionOutcome> CompleteAsync(RunCompletion completion, AuditContext audit, CancellationToken ct) =>
        store.CompleteAsync(
            completion,
            (revoked, known) => new AuditRecord(
                completion.At,
                audit,
                AuditActions.RunComplete,
                completion.Target,
                AuditDecision.Allowed,
                $"{RevokeReasons.RunCompleted}: {completion.Event} delivery {completion.Delivery}; "
                + (known ? $"{revoked} leases" : "unknown run, no leases")),
            ct);

    /// <summary>Drops what is older than <see cref="RetainedFor"/>.</summary>
    public Task<int> PruneAsync(CancellationToken ct) => store.PruneAsync(clock.GetCurrentInstant() - RetainedFor, ct);
}
