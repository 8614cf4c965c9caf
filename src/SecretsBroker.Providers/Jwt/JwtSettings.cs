using NodaTime;

namespace SecretsBroker.Providers.Jwt;

/// <summary>
/// How the broker signs JWT credentials: the <c>iss</c> it puts in them, and how long a replaced
/// signing key's public half stays in the JWKS (at least as long as the longest lease it signed).
/// </summary>
public sealed record JwtSettings(string Issuer, Duration RetiredKeyRetention)
{
    public static JwtSettings Default { get; } = new("secretsbroker", Duration.FromHours(24));
}
