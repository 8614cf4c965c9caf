using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SecretsBroker.Server.OpenApi;

/// <summary>
/// The request body of each operation, from its endpoint's <see cref="DescribedBody"/>. The broker reads
/// bodies itself (<c>JsonBody</c>, <c>FormBody</c>) rather than through framework binding, so the
/// framework cannot see them; a contract's schema is a shared component like the answers' schemas.
/// </summary>
internal sealed class RequestBodies : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DescribedBody>().LastOrDefault() is not { } body)
        {
            return;
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = body.Description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [body.ContentType] = new() { Schema = await SchemaOfAsync(body, context, cancellationToken) },
            },
        };
    }

    private static async Task<IOpenApiSchema> SchemaOfAsync(DescribedBody body, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (body.Fields is { } fields)
        {
            return new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = fields.ToDictionary(f => f.Name, f => (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.String, Description = f.Description }),
                Required = fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(StringComparer.Ordinal),
            };
        }

        if (body.Type is not { } type)
        {
            return new OpenApiSchema { Type = JsonSchemaType.Object };
        }

        var document = context.Document ?? throw new InvalidOperationException("The operation transformer has no document to register schemas in.");
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(type.Name))
        {
            var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
            if (schema is OpenApiSchema shape)
            {
                // What JsonBody enforces: its required fields, and no field it does not know.
                shape.Required = body.Required?.ToHashSet(StringComparer.Ordinal) ?? shape.Required;
                shape.AdditionalPropertiesAllowed = false;
                NumbersAsNumbers(shape);
            }

            document.Components.Schemas[type.Name] = schema;
        }

        return new OpenApiSchemaReference(type.Name, document);
    }

    /// <summary>
    /// The schemas follow the web JSON defaults, which would take a number as a numeric string too; a body is
    /// read with <c>BrokerJson.Strict</c>, where a number sent as a string is <c>invalid_body</c>.
    /// </summary>
    private static void NumbersAsNumbers(OpenApiSchema schema)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        var inner = (schema.Properties?.Values ?? []).Append(schema.Items).Append(schema.AdditionalProperties);
        foreach (var nested in inner.OfType<OpenApiSchema>())
        {
            NumbersAsNumbers(nested);
        }
    }
}
