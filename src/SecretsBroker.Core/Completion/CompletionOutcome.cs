namespace SecretsBroker.Core.Completion;

/// <summary>
/// What recording a <see cref="RunCompletion"/> did: nothing for a delivery seen before; otherwise how
/// many live leases it revoked, and whether the store knew the run at all (any lease, in any state).
/// </summary>
public sealed record CompletionOutcome(bool Replayed, bool KnownRun, int Revoked)
{
    public static CompletionOutcome Replay { get; } = new(true, false, 0);
}
