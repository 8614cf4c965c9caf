using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.OpenApi;

/// <summary>
/// Every operation may answer an error as problem+json (a bad request, a sealed broker, a refused token),
/// so each gets a <c>default</c> response of that shape beside its documented successes.
/// </summary>
internal sealed class ProblemResponses : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["default"] = new OpenApiResponse
        {
            Description = "An error, as application/problem+json with a stable code.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [BrokerProblem.ContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema.SchemaId, context.Document) },
            },
        };
        return Task.CompletedTask;
    }
}
