using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using static SecretsBroker.Server.Workloads.WorkloadTokenRejection;

namespace SecretsBroker.Server.Workloads;

/// <summary>A token that passed every check, with the issuer and key set it was checked against.</summary>
internal sealed record VerifiedToken<TIssuer>(TIssuer Issuer, JwksKeySet Keys, JsonWebToken Jwt, Dictionary<string, string> Claims, string Subject, Instant ExpiresAt, Instant? IssuedAt)
    where TIssuer : ITokenIssuer;

/// <summary>Why a token was refused: a reason code (<see cref="WorkloadTokenRejection"/>) and words for people, never the token.</summary>
internal sealed record TokenRefusal(string? IssuerName, string Reason, string Explanation);

/// <summary>
/// Checks an OIDC token, whoever it was issued to: the trusted issuer is chosen by the token's (not
/// yet trusted) <c>iss</c>, then everything is checked against that issuer alone: signature by a key
/// with the token's key id from the issuer's JWKS, algorithm, exact issuer and audience, lifetime by
/// the broker's clock, distinct claim names and a subject. Every refusal is a result, never an exception.
/// </summary>
internal sealed class SignedTokenVerifier<TIssuer>
    where TIssuer : class, ITokenIssuer
{
    private readonly Func<string?, TIssuer?> find;
    private readonly IClock clock;
    private readonly JsonWebTokenHandler handler;
    private readonly Duration skew;
    private readonly int maxTokenBytes;

    public SignedTokenVerifier(Func<string?, TIssuer?> find, Duration skew, int maxTokenBytes, IClock clock)
    {
        this.find = find;
        this.clock = clock;
        this.skew = skew;
        this.maxTokenBytes = maxTokenBytes;
        handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = maxTokenBytes, MapInboundClaims = false };
    }

    /// <summary>Whether the token is small enough to look at at all: counted before any parsing.</summary>
    public bool FitsSize(string token) => token.Length <= maxTokenBytes && Encoding.UTF8.GetByteCount(token) <= maxTokenBytes;

    /// <summary>The issuer a token says it comes from, unverified: only for choosing whom to verify it against.</summary>
    public static string? ClaimedIssuer(string token)
    {
        try
        {
            var jwt = new JsonWebToken(token);
            return jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var iss) ? iss : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public async Task<(VerifiedToken<TIssuer>? Token, TokenRefusal? Refusal)> VerifyAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Refuse(null, Malformed, "no token was given.");
        }

        if (!FitsSize(token))
        {
            return Refuse(null, TokenTooLarge, $"the token is longer than {maxTokenBytes} bytes.");
        }

        JsonWebToken jwt;
        try
        {
            jwt = handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Refuse(null, Malformed, "the token is not a signed JWT.");
        }

        if (jwt.IsEncrypted)
        {
            return Refuse(null, Malformed, "encrypted tokens are not accepted.");
        }

        if (find(jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var iss) ? iss : null) is not { } issuer)
        {
            return Refuse(null, UntrustedIssuer, "the token's issuer is not one the broker trusts.");
        }

        if (!issuer.Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return Refuse(issuer, AlgorithmNotAllowed, $"tokens from this issuer must be signed with {string.Join(" or ", issuer.Algorithms)}.");
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return Refuse(issuer, UnknownKey, "the token names no signing key (kid).");
        }

        var keys = await issuer.Keys.CurrentAsync(ct);
        if (keys is null || !keys.Contains(jwt.Kid))
        {
            keys = await issuer.Keys.RefreshForUnknownKeyAsync(ct);
        }

        if (keys is null)
        {
            return Refuse(issuer, KeysUnavailable, "the issuer's signing keys could not be loaded.");
        }

        if (!keys.Contains(jwt.Kid))
        {
            return Refuse(issuer, UnknownKey, "the token's signing key (kid) is not in the issuer's key set.");
        }

        var result = await handler.ValidateTokenAsync(jwt, Parameters(issuer, keys));
        if (!result.IsValid)
        {
            var (reason, explanation) = Explain(result.Exception);
            return Refuse(issuer, reason, explanation);
        }

        if (WorkloadClaims.Read(jwt.EncodedPayload) is not { } claims)
        {
            return Refuse(issuer, Malformed, "the token's claims are not one JSON object with distinct names.");
        }

        if (!claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var subject) || string.IsNullOrWhiteSpace(subject))
        {
            return Refuse(issuer, MissingSubject, "the token has no subject (sub).");
        }

        var expiresAt = Instant.FromDateTimeUtc(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
        Instant? issuedAt = jwt.IssuedAt == DateTime.MinValue ? null : Instant.FromDateTimeUtc(DateTime.SpecifyKind(jwt.IssuedAt, DateTimeKind.Utc));
        return (new VerifiedToken<TIssuer>(issuer, keys, jwt, claims, subject, expiresAt, issuedAt), null);
    }

    private static (VerifiedToken<TIssuer>?, TokenRefusal?) Refuse(TIssuer? issuer, string reason, string explanation) =>
        (null, new TokenRefusal(issuer?.Name, reason, explanation));

    private static (string Reason, string Explanation) Explain(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => (Expired, "the token has expired."),
        SecurityTokenNotYetValidException => (NotYetValid, "the token is not valid yet (nbf)."),
        SecurityTokenNoExpirationException => (MissingExpiry, "the token has no expiry (exp)."),
        SecurityTokenInvalidLifetimeException => (InvalidLifetime, "the token's nbf is after its exp."),
        SecurityTokenInvalidAudienceException => (WrongAudience, "the token is not meant for this broker (aud)."),
        SecurityTokenInvalidIssuerException => (WrongIssuer, "the token's issuer does not match."),
        SecurityTokenInvalidAlgorithmException => (AlgorithmNotAllowed, "the token's signature algorithm is not allowed."),
        SecurityTokenSignatureKeyNotFoundException => (UnknownKey, "the token's signing key (kid) is not in the issuer's key set."),
        SecurityTokenInvalidSignatureException => (BadSignature, "the token's signature does not verify."),
        SecurityTokenMalformedException => (Malformed, "the token is not a well-formed JWT."),
        _ => (Invalid, "the token did not pass validation."),
    };

    private TokenValidationParameters Parameters(TIssuer issuer, JwksKeySet keys) => new()
    {
        ValidateIssuer = true,
        ValidIssuer = issuer.Issuer,
        ValidateAudience = true,
        RequireAudience = true,
        ValidAudience = issuer.Audience,
        IgnoreTrailingSlashWhenValidatingAudience = false,
        ValidAlgorithms = issuer.Algorithms,
        RequireSignedTokens = true,
        IssuerSigningKeys = keys.Keys,

        // Only the key the token names: an unknown kid fails instead of every key being tried.
        TryAllIssuerSigningKeys = false,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = skew.ToTimeSpan(),
        LifetimeValidator = ValidateLifetime,
        ValidateTokenReplay = false,
        SaveSigninToken = false,
        LogValidationExceptions = false,
    };

    /// <summary>Lifetime by the broker's clock (tests move a fake one), within the configured skew.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no exp.");
        }

        var exp = Instant.FromDateTimeUtc(DateTime.SpecifyKind(expires.Value, DateTimeKind.Utc));
        var nbf = notBefore is { } n ? Instant.FromDateTimeUtc(DateTime.SpecifyKind(n, DateTimeKind.Utc)) : (Instant?)null;
        if (nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.");
        }

        var now = clock.GetCurrentInstant();
        if (now > exp + skew)
        {
            throw new SecurityTokenExpiredException("The token has expired.");
        }

        if (nbf > now + skew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.");
        }

        return true;
    }
}
