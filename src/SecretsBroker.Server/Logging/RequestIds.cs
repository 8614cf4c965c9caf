using System.Diagnostics;

namespace SecretsBroker.Server.Logging;

/// <summary>
/// Gives every request one id: the trace id of its W3C trace context, the caller's when it sent a valid
/// <c>traceparent</c> (ASP.NET Core continues that trace) and a new one otherwise. It becomes the
/// request's <see cref="HttpContext.TraceIdentifier"/>, so problem+json bodies and audit records name
/// it too, and goes back to the caller as <c>X-Request-Id</c> with the broker's own <c>traceparent</c>.
/// </summary>
internal sealed class RequestIds(RequestDelegate next)
{
    public const string Header = "X-Request-Id";

    public Task InvokeAsync(HttpContext http)
    {
        var activity = Activity.Current;
        var traced = activity is { IdFormat: ActivityIdFormat.W3C };
        http.TraceIdentifier = traced ? activity!.TraceId.ToHexString() : ActivityTraceId.CreateRandom().ToHexString();
        var traceparent = traced ? activity!.Id : null;

        // Set as the answer starts: the exception handler clears the headers of a failed answer before it writes its own.
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers[Header] = http.TraceIdentifier;
            if (traceparent is not null)
            {
                // Built from the broker's own span, never copied from the request.
                headers[TraceparentOnlyPropagator.TraceParent] = traceparent;
            }

            return Task.CompletedTask;
        });
        return next(http);
    }
}
