using System.Security.Cryptography;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Lease ids: 128 random bits as 32 lower-case hex characters. Short enough for downstream names
/// derived from them (a PostgreSQL role name has 63 bytes), unguessable, and safe in any identifier.
/// </summary>
public static class LeaseId
{
    public const int Length = 32;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool LooksValid(string? id) =>
        id is { Length: Length } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
