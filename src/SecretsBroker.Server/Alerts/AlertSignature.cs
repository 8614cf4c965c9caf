using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.Server.Alerts;

/// <summary>
/// The webhook signature: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.&lt;body&gt;"&gt;</c>. The timestamp is
/// inside the signed content, so a receiver can refuse replays of an old event.
/// </summary>
public static class AlertSignature
{
    public const string Header = "X-SecretsBroker-Signature";

    public static string Sign(byte[] key, long unixSeconds, string body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>True when <paramref name="header"/> is a valid signature of <paramref name="body"/> (constant-time compare).</summary>
    public static bool Verify(byte[] key, string header, string body)
    {
        ArgumentNullException.ThrowIfNull(header);
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, CultureInfo.InvariantCulture, out var unix))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, unix, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes($"t={t},v1={v1}"));
    }
}
