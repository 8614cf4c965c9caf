using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Console;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Logging;

/// <summary>
/// <c>Logging:Format</c>: <c>text</c> (the console's plain lines, one an entry, the default) or
/// <c>json</c> (one JSON object a line); either way with the node and the request id on every line of a
/// request; and the request id every answer carries.
/// </summary>
internal static class LoggingSetup
{
    public const string FormatKey = "Logging:Format";
    public const string Text = "text";
    public const string Json = "json";

    internal static WebApplicationBuilder AddBrokerLogging(this WebApplicationBuilder builder)
    {
        // Read here rather than through options: logging is wired before the host exists, and a broker
        // must not start writing lines in a format its operator did not ask for.
        var format = builder.Configuration[FormatKey];
        if (format is { Length: > 0 } && format is not (Text or Json))
        {
            throw new InvalidOperationException($"{FormatKey} must be '{Text}' or '{Json}'.");
        }

        // Only a W3C traceparent that parses is taken from a caller; anything else starts a new trace.
        builder.Services.AddSingleton<DistributedContextPropagator>(new TraceparentOnlyPropagator());
        builder.Services.AddSingleton<RequestIds>();

        if (format == Json)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            // One line an entry, its scopes at the end ("=> Node:…, RequestId:…"), so a grep for a
            // request id finds every line of that request.
            builder.Logging.AddSimpleConsole(text =>
            {
                text.IncludeScopes = true;
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        // The factory takes this provider for every provider's scopes: it puts the node and the
        // request id in front of them on every line.
        builder.Services.AddSingleton<IExternalScopeProvider>(sp => new BrokerScopeProvider(sp.GetRequiredService<BrokerNode>()));

        return builder;
    }

    /// <summary>First in the pipeline, so that every answer (problem+json ones included) carries the request id.</summary>
    internal static IApplicationBuilder UseRequestIds(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestIds>();
}
