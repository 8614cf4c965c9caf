using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Contracts.BreakGlass;

/// <summary>Body of <c>POST /v1/break-glass</c>: the role, why (at least 20 characters), the incident (e.g. INC-1234), and optionally a TTL capped by the role.</summary>
public sealed record BreakGlassRequestBody(string Role, string? Justification, string? Incident, long? TtlSeconds);

/// <summary>Body of <c>POST /v1/break-glass/{id}/review</c>: outcome is justified, unjustified or needs_follow_up.</summary>
public sealed record BreakGlassReviewBody(string? Outcome, string? Notes);

/// <summary>A break-glass request as the broker reports it: never the credential.</summary>
public sealed record BreakGlassInfo(
    string Id,
    string Role,
    string Requester,
    string Justification,
    string Incident,
    long TtlSeconds,
    string State,
    DateTimeOffset RequestedAt,
    DateTimeOffset ApproveBy,
    string? Approver,
    string? LeaseId,
    string? Reviewer,
    string? ReviewOutcome,
    string? ReviewNotes,
    DateTimeOffset? ReviewedAt);

/// <summary>The answer to a request or an approval: the request, and the lease with its credential once issued (201) or none while pending (202).</summary>
public sealed record BreakGlassResponse(BreakGlassInfo Request, IssuedLeaseResponse? Lease);

/// <summary>A page of break-glass requests, most recent first; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record BreakGlassPage(IReadOnlyList<BreakGlassInfo> Requests, string? Next);
