using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// One alert about one break-glass request, kept until every configured webhook has it. It is stored
/// in the same transaction as the change it reports, so a crash or a restart cannot lose it; its id
/// travels in the event, so a receiver can drop the duplicate a retry after a lost answer may bring.
/// </summary>
public sealed record BreakGlassAlert(string Id, string Kind, string RequestId, Instant RaisedAt, int Failures, Instant NextAttemptAt)
{
    /// <summary>A new alert, already taken by the delivery that starts right after its commit until <paramref name="retry"/>'s claim ends.</summary>
    public static BreakGlassAlert Raise(string kind, string requestId, Instant now, AlertRetry retry) =>
        new(LeaseId.New(now), kind, requestId, now, 0, now + retry.ClaimFor);
}

/// <summary>An alert with its request and the webhooks that already have it.</summary>
public sealed record AlertToDeliver(BreakGlassAlert Alert, BreakGlassRequest Request, IReadOnlySet<string> DeliveredTo);
