using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Providers.Jwt;

/// <summary>
/// The public keys a downstream service needs to verify broker-issued JWTs: every current
/// <c>es256-signing-key</c>, plus replaced ones until the retention has passed (their tokens are dead).
/// </summary>
public sealed class JwksPublisher(SecretVault vault, JwtSettings settings, IClock clock)
{
    public async Task<IReadOnlyList<JsonObject>> PublishedKeysAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var parts = await vault.PublicPartsAsync(SecretType.Es256SigningKey, ct);
        return parts
            .Where(p => p.ReplacedAt is null || now < p.ReplacedAt.Value + settings.RetiredKeyRetention)
            .Select(p => JsonNode.Parse(p.PublicPart)!.AsObject())
            .GroupBy(k => (string?)k["kid"])
            .Select(g => g.First())
            .ToList();
    }

    public async Task<string> JwksJsonAsync(CancellationToken ct)
    {
        var keys = new JsonArray();
        foreach (var key in await PublishedKeysAsync(ct))
        {
            keys.Add(key);
        }

        return new JsonObject { ["keys"] = keys }.ToJsonString(JsonSerializerOptions.Web);
    }
}
