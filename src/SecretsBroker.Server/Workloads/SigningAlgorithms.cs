namespace SecretsBroker.Server.Workloads;

/// <summary>
/// The only signature algorithms an OIDC token (a workload's or a person's) may use. Asymmetric only: an HMAC key would have to
/// be shared with the issuer, and a symmetric key found in a JWKS is never a signing key to trust.
/// </summary>
internal static class SigningAlgorithms
{
    public const string RS256 = "RS256";
    public const string ES256 = "ES256";

    public static IReadOnlyList<string> Supported { get; } = [RS256, ES256];

    public static bool IsSupported(string? algorithm) => Supported.Contains(algorithm, StringComparer.Ordinal);

    /// <summary>The algorithms an issuer's settings allow: those listed, or every supported one when none is.</summary>
    public static IReadOnlyList<string> Allowed(IReadOnlyCollection<string> configured) =>
        configured.Count == 0 ? Supported : [.. configured.Distinct(StringComparer.Ordinal)];
}
