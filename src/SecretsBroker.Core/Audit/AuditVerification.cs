namespace SecretsBroker.Core.Audit;

/// <summary>The outcome of checking the chain: intact, or the first event where it breaks and why.</summary>
public sealed record AuditVerification(bool Intact, long Checked, long? FirstBrokenSeq, string? Problem)
{
    public const string MacMismatch = "mac_mismatch";
    public const string LinkBroken = "link_broken";
    public const string MissingEvent = "missing_event";
    public const string HeadMismatch = "head_mismatch";
}
