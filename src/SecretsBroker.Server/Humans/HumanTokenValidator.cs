using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Humans;

/// <summary>A person signed in through an identity provider: who, as shown in the trail, and the scopes their groups grant.</summary>
internal sealed record HumanOperator(string Issuer, string Subject, string DisplayName, IReadOnlyList<string> Scopes)
{
    /// <summary>The caller id two-person and self-review checks compare: one per person at one provider.</summary>
    public string Id => $"oidc:{Issuer}:{Subject}";

    public string Actor => $"human:{Issuer}:{DisplayName}";
}

/// <summary>
/// Checks a person's OIDC token from a configured identity provider (signature, issuer, audience and
/// lifetime as for workloads) and maps the groups it carries to broker scopes.
/// </summary>
internal sealed class HumanTokenValidator
{
    private readonly SignedTokenVerifier<HumanIssuer> verifier;

    public HumanTokenValidator(HumanIssuers issuers, IOptions<WorkloadOptions> timing, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(issuers);
        ArgumentNullException.ThrowIfNull(timing);
        Issuers = issuers;
        verifier = new SignedTokenVerifier<HumanIssuer>(issuers.Find, Duration.FromSeconds(timing.Value.ClockSkewSeconds), timing.Value.MaxTokenBytes, clock);
    }

    public HumanIssuers Issuers { get; }

    public async Task<(HumanOperator? Person, TokenRefusal? Refusal)> ValidateAsync(string token, CancellationToken ct)
    {
        var (verified, refusal) = await verifier.VerifyAsync(token, ct);
        if (verified is null)
        {
            return (null, refusal);
        }

        var issuer = verified.Issuer;
        var groups = GroupsOf(verified.Jwt.EncodedPayload, issuer.GroupsClaim);
        var scopes = issuer.GroupsByScope.Where(s => s.Value.Any(groups.Contains)).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        var name = verified.Claims.TryGetValue(issuer.NameClaim, out var n) && !string.IsNullOrWhiteSpace(n) && !Unverified(verified.Claims, issuer.NameClaim) ? n : verified.Subject;
        return (new HumanOperator(issuer.Name, verified.Subject, name, scopes), null);
    }

    /// <summary>An email the provider says it has not verified is anyone's to claim: the trail shows the subject instead.</summary>
    private static bool Unverified(Dictionary<string, string> claims, string nameClaim) =>
        nameClaim == "email" && claims.TryGetValue("email_verified", out var verified) && string.Equals(verified, "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>The groups claim as a set: an array's strings, or one string; anything else is no groups.</summary>
    private static HashSet<string> GroupsOf(string encodedPayload, string claim)
    {
        var groups = new HashSet<string>(StringComparer.Ordinal);
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
        if (!payload.RootElement.TryGetProperty(claim, out var value))
        {
            return groups;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            groups.Add(value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            groups.UnionWith(value.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.String).Select(g => g.GetString()!));
        }

        return groups;
    }
}
