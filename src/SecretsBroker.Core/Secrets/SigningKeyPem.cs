using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// An ES256 signing key given as a PKCS#8 PEM (field <c>private_key</c> of an
/// <c>es256-signing-key</c> secret), and its public part as a JWK whose <c>kid</c> is the RFC 7638
/// thumbprint.
/// </summary>
public static class SigningKeyPem
{
    public const string Field = "private_key";

    /// <summary>The OID of NIST P-256, the only curve ES256 signs with (brainpoolP256r1 is 256 bits too).</summary>
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>
    /// A key that can sign ES256: a P-256 key with its private part. A public key alone parses too,
    /// and would be published in the JWKS while every lease minted from it failed.
    /// </summary>
    public static BrokerError? Check(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetValue(Field, out var pem))
        {
            return Invalid();
        }

        try
        {
            using var key = Load(pem);
            if (key.ExportParameters(includePrivateParameters: false).Curve.Oid.Value != P256)
            {
                return Invalid();
            }

            // Signing is the proof that the private part is there; nothing secret leaves the key.
            key.SignHash(new byte[32]);
            return null;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return Invalid();
        }
    }

    public static ECDsa Load(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key;
    }

    /// <summary>The public JWK (kty, crv, x, y, kid, alg, use) as JSON.</summary>
    public static string PublicJwk(IReadOnlyDictionary<string, string> fields)
    {
        using var key = Load(fields[Field]);
        var p = key.ExportParameters(includePrivateParameters: false);
        var x = Base64Url(p.Q.X!);
        var y = Base64Url(p.Q.Y!);
        var thumbprintInput = $$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""";
        var kid = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(thumbprintInput)));
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = x,
            ["y"] = y,
            ["kid"] = kid,
            ["alg"] = "ES256",
            ["use"] = "sig",
        });
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static BrokerError Invalid() =>
        BrokerError.Invalid(ErrorCodes.InvalidField, $"Field '{Field}' must be a PKCS#8 PEM of an EC P-256 private key.");
}
