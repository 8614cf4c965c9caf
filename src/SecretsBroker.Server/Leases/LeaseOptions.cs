using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.Leases;

/// <summary>The <c>Leases</c> and <c>Jwt</c> settings: retry reuse window, clean-up pace and retries, and the JWT issuer.</summary>
public sealed class LeaseOptions
{
    public const string Section = "Leases";

    /// <summary>A request with the same binding from the same job within this many seconds gets the lease already issued.</summary>
    [Range(0, 3600)]
    public int ReuseWindowSeconds { get; set; } = 60;

    /// <summary>An <c>issuing</c> row older than this was left by a crash, and is revoked.</summary>
    [Range(5, 3600)]
    public int StuckIssuingAfterSeconds { get; set; } = 60;

    /// <summary>How often expired leases are swept and due clean-ups run.</summary>
    [Range(100, 60_000)]
    public int SweepIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Failed downstream revocations before the lease is marked revoke_failed and an alert is audited.</summary>
    [Range(1, 100)]
    public int FailuresBeforeAlert { get; set; } = 6;

    [Range(1, 3600)]
    public int FirstRetrySeconds { get; set; } = 1;

    [Range(1, 86_400)]
    public int MaxRetrySeconds { get; set; } = 300;

    /// <summary>The <c>iss</c> of broker-issued JWTs.</summary>
    [Required]
    public string JwtIssuer { get; set; } = "secretsbroker";

    /// <summary>How long a replaced signing key stays in the JWKS; keep it above the longest JWT role TTL.</summary>
    [Range(1, 24 * 366)]
    public int RetiredKeyRetentionHours { get; set; } = 24;
}
