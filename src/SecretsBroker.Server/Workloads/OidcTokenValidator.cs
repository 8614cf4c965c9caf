using Microsoft.Extensions.Options;
using NodaTime;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using static SecretsBroker.Server.Workloads.WorkloadTokenRejection;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// Checks a CI job's OIDC id-token (<see cref="SignedTokenVerifier{TIssuer}"/> does the signature,
/// issuer, audience and lifetime) and reads its run and job. Validations are cached by the token's
/// hash while the issuer's keys stay the ones it was checked with. Every refusal is a
/// <c>workload_token_invalid</c> result, never an exception.
/// </summary>
internal sealed class OidcTokenValidator : IWorkloadTokenValidator
{
    private readonly IClock clock;
    private readonly ILogger<OidcTokenValidator> logger;
    private readonly ValidationCache cache = new();
    private readonly SignedTokenVerifier<TrustedIssuer> verifier;
    private readonly int maxTokenBytes;

    public OidcTokenValidator(TrustedIssuers issuers, IOptions<WorkloadOptions> options, IClock clock, ILogger<OidcTokenValidator> logger)
    {
        ArgumentNullException.ThrowIfNull(issuers);
        ArgumentNullException.ThrowIfNull(options);
        this.clock = clock;
        this.logger = logger;
        maxTokenBytes = options.Value.MaxTokenBytes;
        verifier = new SignedTokenVerifier<TrustedIssuer>(issuers.Find, Duration.FromSeconds(options.Value.ClockSkewSeconds), maxTokenBytes, clock);
    }

    public async Task<Result<WorkloadIdentity>> ValidateAsync(string token, CancellationToken ct)
    {
        // Before the cache, so an oversized token costs nothing but this count.
        if (!string.IsNullOrEmpty(token) && !verifier.FitsSize(token))
        {
            return Refuse(null, TokenTooLarge, $"the token is longer than {maxTokenBytes} bytes.");
        }

        var cacheKey = ValidationCache.KeyOf(token ?? "");
        if (cache.TryGet(cacheKey, clock.GetCurrentInstant(), out var cached))
        {
            // Still valid only while the issuer's keys are the ones it was checked with.
            if (ReferenceEquals(await cached.Issuer.Keys.CurrentAsync(ct), cached.Keys))
            {
                return cached.Identity;
            }

            cache.Remove(cacheKey);
        }

        var (verified, refusal) = await verifier.VerifyAsync(token ?? "", ct);
        if (verified is null)
        {
            return Refuse(refusal!.IssuerName, refusal.Reason, refusal.Explanation);
        }

        var issuer = verified.Issuer;
        if (!verified.Claims.TryGetValue(issuer.RunClaim, out var run) || string.IsNullOrWhiteSpace(run))
        {
            return Refuse(issuer.Name, MissingRunClaim, $"the token has no run claim ({issuer.RunClaim}).");
        }

        var job = verified.Claims.TryGetValue(issuer.JobClaim, out var j) && !string.IsNullOrWhiteSpace(j) ? j : null;
        var project = verified.Claims.TryGetValue(issuer.ProjectClaim, out var p) && !string.IsNullOrWhiteSpace(p) ? p : null;
        var identity = new WorkloadIdentity(issuer.Name, verified.Subject, verified.Claims, run, job, verified.ExpiresAt, project, verified.IssuedAt);
        cache.Add(cacheKey, issuer, verified.Keys, identity, clock.GetCurrentInstant());
        return identity;
    }

    private BrokerError Refuse(string? issuerName, string reason, string explanation)
    {
        WorkloadLog.TokenRefused(logger, issuerName ?? "unknown", reason);
        return Error(reason, explanation);
    }
}
