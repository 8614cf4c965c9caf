namespace SecretsBroker.Core.Audit;

/// <summary>Who made a request and where it came from, as recorded with every audit event.</summary>
public sealed record AuditContext(string Actor, string? RequestId, string? RemoteAddress, string? UserAgent)
{
    /// <summary>The broker itself, acting on its own (start-up, background jobs).</summary>
    public static AuditContext System { get; } = new("system", null, null, null);
}
