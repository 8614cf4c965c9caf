using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// A SCRAM-SHA-256 verifier (RFC 5802 / 7677, PostgreSQL's stored format), computed here so that
/// <c>CREATE ROLE … PASSWORD</c> carries the verifier and never the password itself: the statement
/// may be logged by the server (log_statement), the password must not be.
/// </summary>
internal static class ScramVerifier
{
    private const int Iterations = 4096;

    public static string For(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
