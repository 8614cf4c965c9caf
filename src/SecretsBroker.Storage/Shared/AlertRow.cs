using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Shared;

/// <summary>An <c>alert</c> row as Dapper reads it.</summary>
internal sealed class AlertRow
{
    public string Id { get; init; } = "";

    public string Kind { get; init; } = "";

    public string RequestId { get; init; } = "";

    public Instant RaisedAt { get; init; }

    public int Failures { get; init; }

    public Instant NextAttemptAt { get; init; }

    public BreakGlassAlert ToAlert() => new(Id, Kind, RequestId, RaisedAt, Failures, NextAttemptAt);
}
