namespace SecretsBroker.Server.Workloads;

/// <summary>One configured CI platform, resolved: defaults applied, claims named, keys ready to be fetched.</summary>
internal sealed record TrustedIssuer(
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyList<string> Algorithms,
    string RunClaim,
    string JobClaim,
    JwksSource Keys) : ITokenIssuer;
