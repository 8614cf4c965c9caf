namespace SecretsBroker.Server.OpenApi;

/// <summary>
/// <c>GET /openapi/v1.json</c>: the OpenAPI 3.1 description of the broker's HTTP API. It describes
/// shapes only (no secret, token or configuration value), so it is served without a token, and while sealed.
/// </summary>
internal static class OpenApiSetup
{
    internal const string DocumentName = "v1";
    internal const string Route = "/openapi/{documentName}.json";

    /// <summary>The one document's address, which a sealed broker also serves.</summary>
    internal const string DocumentPath = "/openapi/" + DocumentName + ".json";

    internal static IServiceCollection AddBrokerOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, o =>
        {
            o.AddDocumentTransformer<BrokerDocumentInfo>();
            o.AddDocumentTransformer<SecuritySchemes>();
            o.AddDocumentTransformer<ProblemSchema>();
            o.AddOperationTransformer<SecurityRequirements>();
            o.AddOperationTransformer<ProblemResponses>();
            o.AddOperationTransformer<RequestBodies>();
        });
        return services;
    }

    internal static WebApplication MapBrokerOpenApi(this WebApplication app)
    {
        app.MapOpenApi(Route).AllowAnonymous();
        return app;
    }
}
