using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Server.Auth;

namespace SecretsBroker.Server.Http;

/// <summary>
/// Audit context for an HTTP request, and the audit record of a request that was denied or rejected
/// before it could change anything. Records name the route and the reason code, never a header value
/// or body.
/// </summary>
public sealed class RequestAudit(IAuditStore store, IClock clock)
{
    private const int MaxUserAgentLength = 200;
    private const int MaxTargetLength = 256;

    public static AuditContext ContextOf(HttpContext http)
    {
        var userAgent = http.Request.Headers.UserAgent.ToString();
        return new AuditContext(
            CallerClaims.ActorOf(http.User),
            http.TraceIdentifier,
            http.Connection.RemoteIpAddress?.ToString(),
            userAgent.Length == 0 ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)]);
    }

    public Task RecordAsync(HttpContext http, string decision, string reason)
    {
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "?";
        var path = http.Request.Path.Value ?? "";
        var record = new AuditRecord(
            clock.GetCurrentInstant(),
            ContextOf(http),
            $"{http.Request.Method} {route}",
            path[..Math.Min(path.Length, MaxTargetLength)],
            decision,
            reason);
        return store.AppendAsync(record, CancellationToken.None);
    }
}
