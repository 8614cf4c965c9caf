using Microsoft.AspNetCore.Diagnostics;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Http;

/// <summary>
/// Answers that no endpoint wrote — unknown routes, wrong methods, the jobs dashboard's refusals,
/// unexpected errors — as problem+json too, each with the code of what went wrong. An unexpected
/// error tells the caller only its request id: the exception, logged by ASP.NET Core's exception
/// handler, stays in the log.
/// </summary>
internal static class ProblemPipeline
{
    internal static IApplicationBuilder UseBrokerProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(error => error.Run(async http =>
        {
            var (problem, status) = ProblemOf(http.Features.Get<IExceptionHandlerFeature>()?.Error, http.TraceIdentifier);
            await BrokerProblem.WriteAsync(http, problem, status);
        }));

        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0)
            {
                return;
            }

            var error = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => BrokerError.NotFound(ErrorCodes.NotFound, "No such endpoint."),
                StatusCodes.Status405MethodNotAllowed => new BrokerError(ErrorCodes.MethodNotAllowed, "This endpoint does not take that method.", ErrorKind.Invalid),
                StatusCodes.Status413PayloadTooLarge => new BrokerError(ErrorCodes.BodyTooLarge, "The request is too large.", ErrorKind.TooLarge),
                StatusCodes.Status415UnsupportedMediaType => new BrokerError(ErrorCodes.UnsupportedMediaType, "Send the body as application/json.", ErrorKind.UnsupportedMediaType),

                // The jobs dashboard refuses by status alone: no token or a bad one, or a token without admin.
                StatusCodes.Status401Unauthorized => new BrokerError(ErrorCodes.Unauthenticated, "Send an admin token as 'Authorization: Bearer <token>'.", ErrorKind.Unauthenticated),
                StatusCodes.Status403Forbidden => new BrokerError(ErrorCodes.InsufficientScope, "This caller may not use this endpoint.", ErrorKind.Forbidden),
                _ => BrokerError.Invalid(ErrorCodes.InvalidRequest, "The request could not be read."),
            };
            await BrokerProblem.WriteAsync(http, error, http.Response.StatusCode);
        });
        return app;
    }

    /// <summary>
    /// A request Kestrel could not read (a body over its limit, broken framing) is the caller's fault
    /// wherever it surfaced: its own 4xx, not a 500. Anything else is the broker's.
    /// </summary>
    private static (BrokerError Problem, int? Status) ProblemOf(Exception? error, string requestId) => error switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (new BrokerError(ErrorCodes.BodyTooLarge, "The request is too large.", ErrorKind.TooLarge), null),
        BadHttpRequestException { StatusCode: >= 400 and < 500 } bad =>
            (BrokerError.Invalid(ErrorCodes.InvalidRequest, "The request could not be read."), bad.StatusCode),
        _ => (new BrokerError(ErrorCodes.Internal, $"The broker failed to answer; request id {requestId}.", ErrorKind.Internal), null),
    };
}
