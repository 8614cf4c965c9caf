using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// A value stored in the database on first start that only the right master key reproduces. It
/// tells "wrong master key" apart from "broken data" before anything is read or written.
/// </summary>
public static class SealCheck
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("SecretsBroker seal check");

    public static string Compute(MasterKey masterKey) =>
        Convert.ToBase64String(HMACSHA256.HashData(masterKey.Derive("seal-check/v1"), Message));

    public static bool Matches(MasterKey masterKey, string stored) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(masterKey)), Encoding.ASCII.GetBytes(stored));
}
