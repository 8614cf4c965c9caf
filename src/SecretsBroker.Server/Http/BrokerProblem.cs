using SecretsBroker.Contracts.Errors;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Http;

/// <summary>The one place a <see cref="BrokerError"/> becomes an HTTP answer: <c>application/problem+json</c>.</summary>
public sealed class BrokerProblem(BrokerError error) : IResult
{
    public const string ContentType = "application/problem+json";

    public BrokerError Error { get; } = error;

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.Upstream => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status500InternalServerError,
    };

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return WriteAsync(httpContext, Error);
    }

    public static async Task WriteAsync(HttpContext http, BrokerError error, int? status = null)
    {
        var code = status ?? StatusOf(error.Kind);
        var body = new ProblemResponse(
            $"urn:secretsbroker:error:{error.Code}",
            Title(error.Kind),
            code,
            error.Message,
            error.Code,
            http.TraceIdentifier);
        http.Response.StatusCode = code;
        Logging.RequestLog.Refused(http, code, error.Code);
        await http.Response.WriteAsJsonAsync(body, BrokerJson.Options, ContentType, http.RequestAborted);
    }

    private static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => "The request is not valid.",
        ErrorKind.Unauthenticated => "Authentication is required.",
        ErrorKind.Forbidden => "The caller may not do this.",
        ErrorKind.NotFound => "Not found.",
        ErrorKind.Conflict => "The request conflicts with the current state.",
        ErrorKind.TooLarge => "The request is too large.",
        ErrorKind.UnsupportedMediaType => "The request body must be JSON.",
        ErrorKind.Unavailable => "The broker cannot serve this now.",
        ErrorKind.Upstream => "A downstream system failed.",
        _ => "Something went wrong in the broker.",
    };
}
