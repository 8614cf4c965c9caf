namespace SecretsBroker.Server.Workloads;

/// <summary>What every trusted OIDC issuer is configured with, for CI platforms and for people alike.</summary>
public class SignedTokenIssuerOptions
{
    /// <summary>The broker's name for the issuer (resource-name rules), e.g. "github"; identities, policy and the audit trail use it.</summary>
    public string? Name { get; set; }

    /// <summary>The exact <c>iss</c> value, e.g. <c>https://token.actions.githubusercontent.com</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The exact <c>aud</c> value of the tokens meant for this broker.</summary>
    public string? Audience { get; set; }

    /// <summary>Signature algorithms accepted: a subset of RS256 and ES256; empty means both.</summary>
    public List<string> Algorithms { get; } = [];

    /// <summary>A JWKS file on this machine (air-gapped sites). Exactly one of this and <see cref="JwksUrl"/>.</summary>
    public string? JwksFile { get; set; }

    /// <summary>Where the issuer publishes its JWKS: https, or http on a loopback address only.</summary>
    public string? JwksUrl { get; set; }
}
