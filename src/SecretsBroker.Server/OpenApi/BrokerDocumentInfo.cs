using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SecretsBroker.Server.OpenApi;

/// <summary>The document's title and description: what the broker is and how its errors read.</summary>
internal sealed class BrokerDocumentInfo : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "SecretsBroker",
            Version = DocumentVersion,
            Description = "A just-in-time secrets broker: CI workloads lease short-lived credentials with their OIDC token; "
                + "operators manage root secrets, tokens, audit and break-glass with broker tokens. Every error is "
                + "application/problem+json with a stable `code` (the ErrorCode schema); clients branch on the code, never on text.",
        };

        // The server's address is the caller's: a relative server keeps the document the same behind any proxy.
        document.Servers = [new OpenApiServer { Url = "/" }];
        return Task.CompletedTask;
    }

    private static string DocumentVersion { get; } =
        typeof(BrokerDocumentInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
