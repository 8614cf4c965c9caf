namespace SecretsBroker.Server.Workloads;

/// <summary>One trusted CI platform: <c>Workloads:Issuers:N</c>.</summary>
public sealed class TrustedIssuerOptions
{
    /// <summary>The broker's name for the issuer (resource-name rules), e.g. "github"; identities and policy use it.</summary>
    public string? Name { get; set; }

    /// <summary>The exact <c>iss</c> value, e.g. <c>https://token.actions.githubusercontent.com</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The exact <c>aud</c> value the CI job asks its platform for.</summary>
    public string? Audience { get; set; }

    /// <summary>Signature algorithms accepted: a subset of RS256 and ES256; empty means both.</summary>
    public List<string> Algorithms { get; } = [];

    /// <summary>A JWKS file on this machine (air-gapped sites). Exactly one of this and <see cref="JwksUrl"/>.</summary>
    public string? JwksFile { get; set; }

    /// <summary>Where the issuer publishes its JWKS: https, or http on a loopback address only.</summary>
    public string? JwksUrl { get; set; }

    /// <summary><c>github</c> or <c>gitlab</c>: which claims name the run and the job.</summary>
    public string? Dialect { get; set; }

    /// <summary>Overrides the dialect's run claim (GitHub <c>run_id</c>, GitLab <c>pipeline_id</c>).</summary>
    public string? RunClaim { get; set; }

    /// <summary>Overrides the dialect's job claim (GitHub <c>check_run_id</c>, GitLab <c>job_id</c>).</summary>
    public string? JobClaim { get; set; }
}
