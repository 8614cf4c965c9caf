using NodaTime;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// A role's break-glass settings: emergency leases for operators, capped at <see cref="MaxTtl"/> and
/// never renewable; with <see cref="Approvals"/> of 2, a second operator must approve each request.
/// </summary>
public sealed record BreakGlassPolicy(bool Allowed, Duration MaxTtl, int Approvals)
{
    /// <summary>The cap when the policy names none: an emergency credential lives an hour at most.</summary>
    public static readonly Duration DefaultMaxTtl = Duration.FromHours(1);

    public bool NeedsApproval => Approvals > 1;
}
