using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.KeyRing;

/// <summary>
/// Encrypts each Data Protection key with AES-256-GCM under a key derived from the master key, so
/// the key ring in the database is useless without the master key.
/// </summary>
/// <remarks>The key is asked for at the first encryption, never at construction: Data Protection builds
/// its key manager at start, also when the broker stays sealed.</remarks>
public sealed class MasterKeyXmlEncryptor(Func<MasterKey> masterKey) : IXmlEncryptor
{
    internal const string ElementName = "masterKeyEncrypted";
    internal const string KeyLabel = "key-ring/v1";
    internal const int NonceSize = 12;
    internal const int TagSize = 16;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(masterKey().Derive(KeyLabel), TagSize))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(ElementName, new XAttribute("alg", "AES-256-GCM"), Convert.ToBase64String(sealedBytes));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}
