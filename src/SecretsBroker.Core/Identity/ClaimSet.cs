using System.Text.Json;

namespace SecretsBroker.Core.Identity;

/// <summary>
/// A token's claims as the broker keeps them: sorted JSON, without the claims that differ on every
/// token (issued-at, expiry, not-before, token id), so the tokens of one CI job share one set.
/// </summary>
public static class ClaimSet
{
    private static readonly HashSet<string> PerToken = new(StringComparer.Ordinal) { "iat", "exp", "nbf", "jti" };

    public static string Canonical(IReadOnlyDictionary<string, string> claims) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(
            claims.Where(c => !PerToken.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal), StringComparer.Ordinal));
}
