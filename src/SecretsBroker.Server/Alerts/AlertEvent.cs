namespace SecretsBroker.Server.Alerts;

/// <summary>
/// The JSON body a webhook receives: which alert (its id is the same on every retry, so a receiver can
/// drop duplicates), what happened, to which request and lease, who asked (as shown, and the stable id
/// the two-person and review rules compare: a token id or oidc:issuer:subject) and why. Never a credential.
/// </summary>
public sealed record AlertEvent(
    string Id,
    string Kind,
    DateTimeOffset At,
    DateTimeOffset RaisedAt,
    string RequestId,
    string Role,
    string Requester,
    string RequesterId,
    string? Approver,
    string Incident,
    string Justification,
    string? LeaseId,
    long TtlSeconds,
    DateTimeOffset RequestedAt);
