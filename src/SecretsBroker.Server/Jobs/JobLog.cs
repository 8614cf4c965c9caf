namespace SecretsBroker.Server.Jobs;

/// <summary>Log lines of the lease jobs: counts only.</summary>
internal static partial class JobLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Sweep: {Expired} leases expired, {Revoked} revoked downstream")]
    public static partial void Swept(ILogger logger, int expired, int revoked);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Reconcile: {Reclaimed} stuck issuing leases reclaimed, {Revoked} revoked downstream, {Rotations} pending rotations settled")]
    public static partial void Reconciled(ILogger logger, int reclaimed, int revoked, int rotations);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Rotation: {Rotated} root secrets rotated on schedule")]
    public static partial void Rotated(ILogger logger, int rotated);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Orphan sweep: {Removed} downstream credentials without a live lease removed")]
    public static partial void OrphansRemoved(ILogger logger, int removed);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Could not queue the lease sweep")]
    public static partial void TickFailed(ILogger logger, Exception exception);
}
