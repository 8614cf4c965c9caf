using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SecretsBroker.Server.OpenApi;

/// <summary>The three kinds of bearer token the broker takes; which operation takes which is <see cref="SecurityRequirements"/>'.</summary>
internal sealed class SecuritySchemes : IOpenApiDocumentTransformer
{
    internal const string BrokerToken = "brokerToken";
    internal const string WorkloadToken = "workloadToken";
    internal const string PersonToken = "personToken";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BrokerToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "sbt_…",
            Description = "An operator token made by the broker (`sbt_…`, shown once when made). Its scopes are "
                + "`admin` (includes the others), `security` and `operator`; an operation lists the scopes it takes.",
        };
        document.Components.SecuritySchemes[WorkloadToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A CI job's OIDC token (GitHub Actions, GitLab CI) from a configured workload issuer.",
        };
        document.Components.SecuritySchemes[PersonToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A person's OIDC token from a configured operator sign-in provider; its scopes come from the provider's groups.",
        };
        return Task.CompletedTask;
    }
}
