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
    public const string Leases = "/v1/leases";
    public const string Runs = "/v1/runs";
    public const string Identities = "/v1/identities";
    public const string Revocations = "/v1/revocations";
    public const string BreakGlass = "/v1/break-glass";
    public const string Introspect = "/v1/introspect";
    public const string Backups = "/v1/backups";
    public const string Jwks = "/.well-known/jwks.json";
    public const string GitHubHook = "/v1/hooks/github";
    public const string GitLabHook = "/v1/hooks/gitlab";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
}
