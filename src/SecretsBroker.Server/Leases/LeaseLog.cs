using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Leases;

/// <summary>
/// A line for each lease issued, renewed or revoked, and for each refused call on a named lease. The
/// lease id is a parameter, so a JSON log line carries it as <c>State.LeaseId</c>; a credential never is.
/// </summary>
internal static partial class LeaseLog
{
    public const string Category = "SecretsBroker.Server.Leases";

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Lease {LeaseId} issued for role {Role} (replayed: {Replayed})")]
    public static partial void Issued(ILogger logger, string leaseId, string role, bool replayed);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Lease {LeaseId} renewed")]
    public static partial void Renewed(ILogger logger, string leaseId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Lease {LeaseId} revoked")]
    public static partial void Revoked(ILogger logger, string leaseId);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Lease {LeaseId}: {Action} refused ({Code})")]
    public static partial void Refused(ILogger logger, string leaseId, string action, string code);

    public static ILogger Of(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);

    /// <summary>Logs the outcome of a call on the lease <paramref name="id"/> (null for a new one): <paramref name="done"/> on success, a refusal of a named lease otherwise.</summary>
    public static async Task<Result<T>> Logged<T>(this Task<Result<T>> call, HttpContext http, string? id, string action, Action<ILogger, T> done)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(done);
        var result = await call;
        var logger = Of(http);
        if (result.IsSuccess)
        {
            done(logger, result.Value);
        }
        else if (id is not null && Core.Leasing.LeaseId.LooksValid(id))
        {
            // Only an id that has a lease id's shape: the route takes any string from the caller.
            Refused(logger, id, action, result.Error!.Code);
        }

        return result;
    }
}
