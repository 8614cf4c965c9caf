using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// The key that unseals the broker. It never touches the database: everything stored is protected by
/// keys derived from it (HKDF-SHA256, one label per use), so a copy of the database alone is useless.
/// </summary>
public sealed class MasterKey
{
    public const int SizeInBytes = 32;

    private readonly byte[] key;

    private MasterKey(byte[] key) => this.key = key;

    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(SizeInBytes));

    /// <summary>Reads a key written by <see cref="ToBase64"/>; null when the text is not a 32-byte base64 key.</summary>
    public static MasterKey? TryParse(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        var bytes = new byte[SizeInBytes + 3];
        return Convert.TryFromBase64String(base64.Trim(), bytes, out var written) && written == SizeInBytes
            ? new MasterKey(bytes[..SizeInBytes])
            : null;
    }

    public string ToBase64() => Convert.ToBase64String(key);

    /// <summary>A sub-key for one use; the label names that use and a version, e.g. "audit-mac/v1".</summary>
    public byte[] Derive(string label, int length = 32) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, length, salt: [], info: Encoding.UTF8.GetBytes("secretsbroker/" + label));

    /// <summary>Never prints the key.</summary>
    public override string ToString() => "MasterKey(***)";
}
