namespace SecretsBroker.Server.Workloads;

/// <summary>
/// The <c>Workloads</c> configuration section: which CI platforms' OIDC tokens the broker trusts.
/// Checked at start by <see cref="WorkloadOptionsValidator"/>. No issuers is valid: then no workload
/// can authenticate.
/// </summary>
public sealed class WorkloadOptions
{
    public const string Section = "Workloads";

    public List<TrustedIssuerOptions> Issuers { get; } = [];

    /// <summary>How far <c>exp</c> and <c>nbf</c> may be off the broker's clock, in seconds (at most 300).</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Longer tokens are refused before they are parsed.</summary>
    public int MaxTokenBytes { get; set; } = 8192;

    /// <summary>How often a key set is fetched again (URL) or re-read (file) even when nothing asks for a new key.</summary>
    public int JwksRefreshSeconds { get; set; } = 300;

    /// <summary>
    /// A token naming a key id the broker does not know makes it fetch the key set again, at most once
    /// this often per issuer, so a rotated key is picked up at once but made-up key ids cannot hammer the issuer.
    /// </summary>
    public int UnknownKeyRefreshSeconds { get; set; } = 30;
}
