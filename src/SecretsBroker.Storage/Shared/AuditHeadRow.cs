using SecretsBroker.Core.Audit;

namespace SecretsBroker.Storage.Shared;

/// <summary>The <c>audit_head</c> row as Dapper reads it.</summary>
internal sealed class AuditHeadRow
{
    public long Seq { get; init; }

    public string Mac { get; init; } = "";

    public string HeadMac { get; init; } = "";

    public AuditHead ToHead() => new(Seq, Mac, HeadMac);
}
