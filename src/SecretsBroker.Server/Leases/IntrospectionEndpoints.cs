using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Providers.Jwt;

namespace SecretsBroker.Server.Leases;

/// <summary>
/// What downstream services use to check broker-issued JWTs: the JWKS, and RFC 7662 introspection.
/// Introspection tells only what the presented token already says plus whether its lease is live,
/// so it needs no credentials of its own.
/// </summary>
internal static class IntrospectionEndpoints
{
    internal static WebApplication MapIntrospectionEndpoints(this WebApplication app)
    {
        app.MapGet(Routes.Jwks, async (JwksPublisher jwks, CancellationToken ct) =>
            Results.Text(await jwks.JwksJsonAsync(ct), "application/jwk-set+json"));

        app.MapPost(Routes.Introspect, async (HttpContext http, TokenIntrospector introspector, CancellationToken ct) =>
        {
            var token = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(ct))["token"].ToString() : null;
            var result = await introspector.IntrospectAsync(token, ct);
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
        }).DisableAntiforgery();
        return app;
    }
}
