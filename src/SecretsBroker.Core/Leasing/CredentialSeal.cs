using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Seals a lease's credential for storage and unseals it for a replay. The protector is chained with
/// the lease id, so a sealed credential copied onto another lease's row will not unseal.
/// </summary>
public sealed class CredentialSeal(IDataProtectionProvider dataProtection)
{
    public string Seal(string leaseId, IReadOnlyDictionary<string, string> credential) =>
        Convert.ToBase64String(Protector(leaseId).Protect(JsonSerializer.SerializeToUtf8Bytes(credential)));

    public Dictionary<string, string> Unseal(string leaseId, string sealedCredential)
    {
        var plaintext = Protector(leaseId).Unprotect(Convert.FromBase64String(sealedCredential));
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plaintext)!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private IDataProtector Protector(string leaseId) =>
        dataProtection.CreateProtector(Purposes.LeaseCredential).CreateProtector(leaseId);
}
