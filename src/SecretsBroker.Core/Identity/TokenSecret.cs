using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.Core.Identity;

/// <summary>
/// Makes and hashes token values. Values carry 256 random bits, so one fast SHA-256 is enough to
/// make a stolen hash useless; a slow password hash would only slow every request.
/// </summary>
public static class TokenSecret
{
    public const string Prefix = "sbt_";

    /// <summary>Longest value worth hashing; anything longer is not a broker token.</summary>
    public const int MaxLength = 128;

    public static string NewValue() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId() => Base64Url(RandomNumberGenerator.GetBytes(9));

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static bool LooksValid(string? value) =>
        value is not null && value.Length <= MaxLength && value.StartsWith(Prefix, StringComparison.Ordinal);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
