using System.Security.Cryptography;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// A generated password and its SCRAM-SHA-256 verifier, made together and used for one role only.
/// Its text form hides both, so a log or an exception message can never carry them.
/// </summary>
internal sealed record ScramCredential(string Password, string Verifier)
{
    private const int PasswordLength = 40;
    private const string PasswordAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>A new random password (40 characters of 62, about 238 bits) and its verifier; costs one PBKDF2.</summary>
    public static ScramCredential New()
    {
        var password = RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);
        return new ScramCredential(password, ScramVerifier.For(password));
    }

    public override string ToString() => "ScramCredential { redacted }";
}
