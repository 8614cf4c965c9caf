using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Jwt;

/// <summary>
/// The current signing key of each <c>es256-signing-key</c> secret, decrypted at most every few
/// seconds rather than on every mint; a rotated key is picked up within <see cref="Freshness"/>.
/// </summary>
public sealed class SigningKeys(SecretVault vault, IClock clock)
{
    private static readonly Duration Freshness = Duration.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (SigningCredentials Credentials, Instant LoadedAt)> cache = new(StringComparer.Ordinal);

    public async Task<Result<SigningCredentials>> CurrentAsync(string secret, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (cache.TryGetValue(secret, out var cached) && now - cached.LoadedAt < Freshness)
        {
            return cached.Credentials;
        }

        var revealed = await vault.RevealAsync(secret, ct);
        if (!revealed.IsSuccess)
        {
            return revealed.Error!;
        }

        // A role may name a secret of another type, or one stored before keys were checked when put:
        // checked here too, so a key that cannot sign is a provider failure and never an exception.
        if (SigningKeyPem.Check(revealed.Value) is not null)
        {
            return new BrokerError(ErrorCodes.ProviderFailed, $"Secret '{secret}' does not hold a usable ES256 signing key.", ErrorKind.Upstream);
        }

        using var jwk = System.Text.Json.JsonDocument.Parse(SigningKeyPem.PublicJwk(revealed.Value));
        var key = new ECDsaSecurityKey(SigningKeyPem.Load(revealed.Value[SigningKeyPem.Field])) { KeyId = jwk.RootElement.GetProperty("kid").GetString() };
        var credentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256);
        cache[secret] = (credentials, now);
        return credentials;
    }
}
