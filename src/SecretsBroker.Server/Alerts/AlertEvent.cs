namespace SecretsBroker.Server.Alerts;

/// <summary>The JSON body a webhook receives: what happened, to which request and lease, who asked and why. Never a credential.</summary>
public sealed record AlertEvent(
    string Kind,
    DateTimeOffset At,
    string RequestId,
    string Role,
    string Requester,
    string? Approver,
    string Incident,
    string Justification,
    string? LeaseId,
    long TtlSeconds,
    DateTimeOffset RequestedAt);
