namespace SecretsBroker.Server.Logging;

/// <summary>The line of a refused or failed request: the route's pattern and the error code, never the path, a header or the body.</summary>
internal static partial class RequestLog
{
    public const string Category = "SecretsBroker.Server.Requests";

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "{Method} {Route} answered {Status} {Code}")]
    public static partial void Refused(ILogger logger, string method, string route, int status, string code);

    /// <summary>Logs the problem answer <paramref name="code"/> with <paramref name="status"/> to the request.</summary>
    public static void Refused(HttpContext http, int status, string code)
    {
        ArgumentNullException.ThrowIfNull(http);
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "?";
        Refused(logger, http.Request.Method, route, status, code);
    }
}
