using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Providers.Jwt;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.Leases;

/// <summary>
/// What downstream services use to check broker-issued JWTs: the JWKS, and RFC 7662 introspection.
/// Introspection tells only what the presented token already says plus whether its lease is live,
/// so it needs no credentials of its own. Its form is read by <see cref="FormBody"/>, bounded like every body.
/// </summary>
internal static class IntrospectionEndpoints
{
    internal static WebApplication MapIntrospectionEndpoints(this WebApplication app)
    {
        app.MapGet(Routes.Jwks, async (JwksPublisher jwks, CancellationToken ct) =>
            Results.Text(await jwks.JwksJsonAsync(ct), "application/jwk-set+json"))
            .WithName("GetJwks").WithSummary("Publish the public keys that verify broker-issued JWT credentials")
            .Produces(StatusCodes.Status200OK, contentType: "application/jwk-set+json");

        app.MapPost(Routes.Introspect, async (FormBody form, TokenIntrospector introspector, CancellationToken ct) =>
        {
            if (form.Problem is { } unreadable)
            {
                return new BrokerProblem(unreadable);
            }

            var result = await introspector.IntrospectAsync(form["token"], ct);
            return Results.Json(result.Lease is not { } lease
                ? new IntrospectionResponse(false)
                : new IntrospectionResponse(
                    true,
                    lease.Id,
                    result.Audience,
                    result.Issuer,
                    result.ExpiresAt?.ToUnixTimeSeconds(),
                    result.IssuedAt?.ToUnixTimeSeconds(),
                    lease.Id,
                    lease.RunId,
                    lease.Step,
                    lease.Purpose,
                    lease.Role));
        })
            .WithName("IntrospectToken").WithSummary("Say whether a broker-issued JWT credential is live (RFC 7662)")
            .DescribesForm(
                FormBody.ContentType,
                new DescribedField("token", "The JWT credential to check.", Required: true),
                new DescribedField("token_type_hint", "RFC 7662's hint of the token's type; accepted and not needed.", Required: false))
            .Produces<IntrospectionResponse>();
        return app;
    }
}
