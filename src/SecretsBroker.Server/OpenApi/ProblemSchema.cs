using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SecretsBroker.Contracts.Errors;

namespace SecretsBroker.Server.OpenApi;

/// <summary>
/// The problem+json shape every error answers with (<see cref="ProblemResponse"/>), its <c>code</c>
/// held to the <c>ErrorCode</c> enum.
/// </summary>
internal sealed class ProblemSchema : IOpenApiDocumentTransformer
{
    internal const string SchemaId = nameof(ProblemResponse);

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(context);
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();

        document.Components.Schemas[ErrorCodeSchema.SchemaId] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "A stable error code. Once published, a code never changes meaning.",
            Enum = ErrorCodeSchema.AsEnum(),
        };

        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemResponse), null, cancellationToken);
        if (problem is OpenApiSchema shape && shape.Properties is { } properties && properties.ContainsKey("code"))
        {
            properties["code"] = new OpenApiSchemaReference(ErrorCodeSchema.SchemaId, document);
        }
        else
        {
            throw new InvalidOperationException("ProblemResponse no longer has a 'code' property; the OpenAPI problem schema needs updating.");
        }

        problem.Description ??= "An application/problem+json answer (RFC 9457) with the broker's stable code.";
        document.Components.Schemas[SchemaId] = problem;
    }
}
