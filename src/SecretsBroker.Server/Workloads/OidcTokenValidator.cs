using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using static SecretsBroker.Server.Workloads.WorkloadTokenRejection;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// Checks a CI job's OIDC id-token: the trusted issuer is chosen by the token's (not yet trusted)
/// <c>iss</c>, then everything is checked against that issuer alone: signature by a key with the
/// token's key id from the issuer's JWKS, algorithm, exact issuer and audience, and lifetime by the
/// broker's clock. Every refusal is a <c>workload_token_invalid</c> result, never an exception.
/// </summary>
internal sealed class OidcTokenValidator : IWorkloadTokenValidator
{
    private readonly TrustedIssuers issuers;
    private readonly IClock clock;
    private readonly ILogger<OidcTokenValidator> logger;
    private readonly ValidationCache cache = new();
    private readonly JsonWebTokenHandler handler;
    private readonly Duration skew;
    private readonly int maxTokenBytes;

    public OidcTokenValidator(TrustedIssuers issuers, IOptions<WorkloadOptions> options, IClock clock, ILogger<OidcTokenValidator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.issuers = issuers;
        this.clock = clock;
        this.logger = logger;
        skew = Duration.FromSeconds(options.Value.ClockSkewSeconds);
        maxTokenBytes = options.Value.MaxTokenBytes;
        handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = maxTokenBytes, MapInboundClaims = false };
    }

    public async Task<Result<WorkloadIdentity>> ValidateAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Refuse(null, Malformed, "no token was given.");
        }

        // Before any parsing, so an oversized token costs nothing but this count.
        if (token.Length > maxTokenBytes || Encoding.UTF8.GetByteCount(token) > maxTokenBytes)
        {
            return Refuse(null, TokenTooLarge, $"the token is longer than {maxTokenBytes} bytes.");
        }

        var cacheKey = ValidationCache.KeyOf(token);
        if (cache.TryGet(cacheKey, clock.GetCurrentInstant(), out var cached))
        {
            // Still valid only while the issuer's keys are the ones it was checked with.
            if (ReferenceEquals(await cached.Issuer.Keys.CurrentAsync(ct), cached.Keys))
            {
                return cached.Identity;
            }

            cache.Remove(cacheKey);
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

        if (issuers.Find(UnverifiedClaim(jwt, JwtRegisteredClaimNames.Iss)) is not { } issuer)
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

        if (!claims.TryGetValue(issuer.RunClaim, out var run) || string.IsNullOrWhiteSpace(run))
        {
            return Refuse(issuer, MissingRunClaim, $"the token has no run claim ({issuer.RunClaim}).");
        }

        var job = claims.TryGetValue(issuer.JobClaim, out var j) && !string.IsNullOrWhiteSpace(j) ? j : null;
        var expiresAt = Instant.FromDateTimeUtc(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
        var identity = new WorkloadIdentity(issuer.Name, subject, claims, run, job, expiresAt);
        cache.Add(cacheKey, issuer, keys, identity, clock.GetCurrentInstant());
        return identity;
    }

    /// <summary>A claim of the not yet validated payload, used only to choose whom to validate against.</summary>
    private static string? UnverifiedClaim(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<string>(claim, out var value) ? value : null;

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

    private TokenValidationParameters Parameters(TrustedIssuer issuer, JwksKeySet keys) => new()
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

    private BrokerError Refuse(TrustedIssuer? issuer, string reason, string explanation)
    {
        WorkloadLog.TokenRefused(logger, issuer?.Name ?? "unknown", reason);
        return Error(reason, explanation);
    }
}
