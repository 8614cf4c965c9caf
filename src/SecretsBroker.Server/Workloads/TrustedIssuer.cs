namespace SecretsBroker.Server.Workloads;

/// <summary>
/// One configured CI platform, resolved: defaults applied, claims named, keys ready to be fetched, and
/// the secret of its completion webhook (null when it has none) read from its file.
/// </summary>
internal sealed record TrustedIssuer(
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyList<string> Algorithms,
    WorkloadDialect Dialect,
    string RunClaim,
    string JobClaim,
    string ProjectClaim,
    JwksSource Keys,
    byte[]? WebhookSecret = null) : ITokenIssuer;
