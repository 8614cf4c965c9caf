using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Providers.Jwt;

/// <summary>
/// RFC 7662 style introspection of broker-issued JWTs: a token is active only while its signature
/// checks out against a published key and its lease is valid right now. Revoking or expiring the
/// lease turns the answer to inactive at once, whatever the token's own <c>exp</c> says.
/// </summary>
public sealed class TokenIntrospector(JwksPublisher jwks, ILeaseStore leases, JwtSettings settings, IClock clock)
{
    public const int MaxTokenLength = 8192;

    private static readonly JsonWebTokenHandler Handler = new();

    public async Task<Introspection> IntrospectAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !Handler.CanReadToken(token))
        {
            return Introspection.Inactive;
        }

        var keys = (await jwks.PublishedKeysAsync(ct)).Select(k => (SecurityKey)new JsonWebKey(k.ToJsonString())).ToList();
        var now = clock.GetCurrentInstant();
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidateAudience = false,
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, _) => expires is { } exp && now.ToDateTimeUtc() < exp,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return Introspection.Inactive;
        }

        var lease = await leases.FindAsync(jwt.Id, ct);
        return lease is not null && lease.Provider == "jwt" && lease.IsValidAt(now)
            ? new Introspection(true, lease, jwt.Audiences.FirstOrDefault(), Instant.FromDateTimeUtc(jwt.ValidTo), Instant.FromDateTimeUtc(jwt.IssuedAt), settings.Issuer)
            : Introspection.Inactive;
    }
}

/// <summary>An introspection answer; everything but <see cref="Active"/> is null when inactive.</summary>
public sealed record Introspection(bool Active, Lease? Lease, string? Audience, Instant? ExpiresAt, Instant? IssuedAt, string? Issuer)
{
    public static Introspection Inactive { get; } = new(false, null, null, null, null, null);
}
