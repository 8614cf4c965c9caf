namespace SecretsBroker.Core.Audit;

/// <summary>How a request ended: allowed (and done), denied (authentication or authorization), or rejected (bad input).</summary>
public static class AuditDecision
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Rejected = "rejected";
}
