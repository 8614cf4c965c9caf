using System.Buffers.Binary;
using System.Security.Cryptography;
using NodaTime;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Lease ids: 32 lower-case hex characters, short enough for downstream names derived from them (a
/// PostgreSQL role name has 63 bytes) and safe in any identifier. The first 48 bits are the issue time
/// in Unix milliseconds and the other 80 are random: leases issued together sit together in every
/// index keyed by id, so inserting, sweeping and erasing them writes a few pages rather than one page
/// per lease. The id is a name, never a secret; 80 random bits keep it unguessable all the same.
/// </summary>
public static class LeaseId
{
    public const int Length = 32;

    public static string New(Instant now)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], Math.Max(0, now.ToUnixTimeMilliseconds()) << 16);
        RandomNumberGenerator.Fill(bytes[6..]);
        return Convert.ToHexStringLower(bytes);
    }

    public static bool LooksValid(string? id) =>
        id is { Length: Length } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
