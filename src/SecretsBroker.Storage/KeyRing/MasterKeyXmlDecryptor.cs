using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.KeyRing;

/// <summary>
/// Reverses <see cref="MasterKeyXmlEncryptor"/>. Data Protection creates decryptors by type, passing
/// the service provider, which is where the master key comes from.
/// </summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var masterKey = services.GetRequiredService<MasterKey>();
        var sealedBytes = Convert.FromBase64String(encryptedElement.Value);
        var nonce = sealedBytes.AsSpan(0, MasterKeyXmlEncryptor.NonceSize);
        var tag = sealedBytes.AsSpan(MasterKeyXmlEncryptor.NonceSize, MasterKeyXmlEncryptor.TagSize);
        var ciphertext = sealedBytes.AsSpan(MasterKeyXmlEncryptor.NonceSize + MasterKeyXmlEncryptor.TagSize);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(masterKey.Derive(MasterKeyXmlEncryptor.KeyLabel), MasterKeyXmlEncryptor.TagSize))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
