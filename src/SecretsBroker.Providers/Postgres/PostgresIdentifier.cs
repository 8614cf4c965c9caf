using System.Text;

namespace SecretsBroker.Providers.Postgres;

/// <summary>
/// The one way a name reaches PostgreSQL SQL text: always double-quoted, embedded quotes doubled.
/// Refuses what PostgreSQL would truncate or cannot hold (over 63 bytes, empty, a NUL).
/// </summary>
public static class PostgresIdentifier
{
    /// <summary>PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated, so they are refused here.</summary>
    public const int MaxBytes = 63;

    public static string Quote(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(name) > MaxBytes)
        {
            throw new ArgumentException($"Not a PostgreSQL identifier: empty, holding a NUL, or longer than {MaxBytes} bytes.", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
