using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Audit;

/// <summary>
/// Links audit events with HMAC-SHA256 under a key derived from the master key, so nobody without the
/// master key can forge a link, even with write access to the database.
/// </summary>
public sealed class AuditChain
{
    /// <summary>The previous MAC of the very first event.</summary>
    public const string Genesis = "";

    private readonly Lazy<byte[]> macKey;

    public AuditChain(MasterKey masterKey)
        : this(() => masterKey)
    {
    }

    /// <summary>The key is asked for on first use, so a sealed broker can build its services without one.</summary>
    public AuditChain(Func<MasterKey> masterKey) =>
        macKey = new Lazy<byte[]>(() => masterKey().Derive("audit-mac/v1"));

    public AuditEvent Link(AuditRecord record, long seq, string previousMac)
    {
        var unsealed = new AuditEvent(
            seq,
            Guid.NewGuid().ToString("N"),
            record.At,
            record.Context.Actor,
            record.Action,
            record.Target,
            record.Decision,
            record.Reason,
            record.Context.RequestId,
            record.Context.RemoteAddress,
            record.Context.UserAgent,
            previousMac,
            Mac: string.Empty);
        return unsealed with { Mac = ComputeMac(unsealed) };
    }

    /// <summary>The head pointing at <paramref name="e"/>, sealed so that only the chain's key can move it.</summary>
    public AuditHead HeadAt(AuditEvent e) => new(e.Seq, e.Mac, ComputeHeadMac(e.Seq, e.Mac));

    public bool HasValidHead(AuditHead head) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ComputeHeadMac(head.Seq, head.Mac)), Encoding.ASCII.GetBytes(head.HeadMac));

    public bool HasValidMac(AuditEvent e) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ComputeMac(e)), Encoding.ASCII.GetBytes(e.Mac));

    /// <summary>
    /// MAC over length-prefixed fields, so no two different events share an input
    /// ("ab"+"c" and "a"+"bc" differ) and null differs from empty.
    /// </summary>
    private string ComputeMac(AuditEvent e)
    {
        using var input = new MemoryStream();
        Write(input, e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(input, e.Id);
        Write(input, e.At.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(input, e.Actor);
        Write(input, e.Action);
        Write(input, e.Target);
        Write(input, e.Decision);
        Write(input, e.Reason);
        Write(input, e.RequestId);
        Write(input, e.RemoteAddress);
        Write(input, e.UserAgent);
        Write(input, e.PreviousMac);
        return Convert.ToHexStringLower(HMACSHA256.HashData(macKey.Value, input.ToArray()));
    }

    private string ComputeHeadMac(long seq, string mac)
    {
        using var input = new MemoryStream();
        Write(input, "head");
        Write(input, seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(input, mac);
        return Convert.ToHexStringLower(HMACSHA256.HashData(macKey.Value, input.ToArray()));
    }

    private static void Write(MemoryStream input, string? field)
    {
        Span<byte> length = stackalloc byte[4];
        if (field is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            input.Write(length);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(field);
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        input.Write(length);
        input.Write(bytes);
    }
}
