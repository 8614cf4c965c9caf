using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// One operator's request for an emergency lease: who asked (token id), for which role, why, for
/// which incident, until when a second operator may approve it, and what became of it.
/// </summary>
public sealed record BreakGlassRequest(
    string Id,
    string Role,
    string Requester,
    string RequesterActor,
    string Justification,
    string Incident,
    long TtlSeconds,
    string State,
    Instant RequestedAt,
    Instant ApproveBy,
    string? Approver,
    string? LeaseId,
    string? Reviewer,
    string? ReviewOutcome,
    string? ReviewNotes,
    Instant? ReviewedAt)
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Issued = "issued";
    public const string Expired = "expired";
    public const string Failed = "failed";

    /// <summary>The state a reader should see: a pending request past its window is already expired.</summary>
    public string EffectiveStateAt(Instant now) => State == Pending && now >= ApproveBy ? Expired : State;
}
