using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// One issuer's signing keys as loaded at one moment. Only public RSA (2048 bits or more) and P-256 EC
/// keys with a key id are kept: a symmetric key in a JWKS is never trusted (anyone who can read the
/// JWKS could sign with it), and a key without an id could only be found by trying every key.
/// </summary>
internal sealed class JwksKeySet
{
    /// <summary>A key set larger than this is refused unread: real ones hold a handful of keys.</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly Dictionary<string, SecurityKey> byId;

    private JwksKeySet(Dictionary<string, SecurityKey> byId, int skipped, byte[] fingerprint)
    {
        this.byId = byId;
        Keys = [.. byId.Values];
        Skipped = skipped;
        Fingerprint = fingerprint;
    }

    public IReadOnlyList<SecurityKey> Keys { get; }

    public int Skipped { get; }

    /// <summary>SHA-256 of the document the keys came from: an unchanged document keeps the same key set.</summary>
    public byte[] Fingerprint { get; }

    public bool Contains(string keyId) => byId.ContainsKey(keyId);

    public bool SameDocumentAs(byte[] fingerprint) => CryptographicOperations.FixedTimeEquals(Fingerprint, fingerprint);

    public static byte[] FingerprintOf(string json) => SHA256.HashData(Encoding.UTF8.GetBytes(json));

    /// <summary>The usable keys of a JWKS document, or why there are none. Never throws on bad input.</summary>
    public static (JwksKeySet? Keys, string? Problem) Parse(string json)
    {
        JsonWebKeySet document;
        try
        {
            document = new JsonWebKeySet(json);
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            return (null, "not a JWKS document");
        }

        var byId = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var key in document.Keys)
        {
            if (IsUsable(key) && byId.TryAdd(key.Kid, key))
            {
                continue;
            }

            skipped++;
        }

        return byId.Count == 0
            ? (null, $"no usable signing keys ({skipped} skipped)")
            : (new JwksKeySet(byId, skipped, FingerprintOf(json)), null);
    }

    private static bool IsUsable(JsonWebKey key)
    {
        if (string.IsNullOrEmpty(key.Kid) || (!string.IsNullOrEmpty(key.Use) && key.Use != JsonWebKeyUseNames.Sig) || key.D is not null)
        {
            return false;
        }

        return key.Kty switch
        {
            JsonWebAlgorithmsKeyTypes.RSA => AllowsAlgorithm(key, SigningAlgorithms.RS256) && RsaModulusBits(key) >= 2048 && !string.IsNullOrEmpty(key.E),
            JsonWebAlgorithmsKeyTypes.EllipticCurve => AllowsAlgorithm(key, SigningAlgorithms.ES256) && key.Crv == JsonWebKeyECTypes.P256
                && !string.IsNullOrEmpty(key.X) && !string.IsNullOrEmpty(key.Y),
            _ => false,
        };
    }

    private static bool AllowsAlgorithm(JsonWebKey key, string algorithm) => string.IsNullOrEmpty(key.Alg) || key.Alg == algorithm;

    private static int RsaModulusBits(JsonWebKey key)
    {
        try
        {
            var modulus = Base64UrlEncoder.DecodeBytes(key.N ?? "");
            return (modulus.Length - modulus.TakeWhile(b => b == 0).Count()) * 8;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return 0;
        }
    }
}
