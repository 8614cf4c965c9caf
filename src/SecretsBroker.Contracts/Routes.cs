namespace SecretsBroker.Contracts;

/// <summary>The broker's HTTP paths, shared so the server and sbctl cannot drift apart.</summary>
public static class Routes
{
    public const string Health = "/healthz";
    public const string Ready = "/readyz";
    public const string Status = "/v1/status";
    public const string Secrets = "/v1/secrets";
    public const string Tokens = "/v1/tokens";
    public const string Audit = "/v1/audit";
    public const string AuditVerify = "/v1/audit/verify";
}
