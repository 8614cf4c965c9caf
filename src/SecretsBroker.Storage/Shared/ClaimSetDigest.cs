using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.Storage.Shared;

/// <summary>The key of a stored claim set: SHA-256 of its issuer and canonical JSON, so equal sets are stored once.</summary>
internal static class ClaimSetDigest
{
    public static string Of(string issuer, string claims) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{issuer}\n{claims}")));
}
