namespace SecretsBroker.Contracts.Leases;

/// <summary>Body of <c>POST /v1/leases</c>; the caller's OIDC token is the bearer. Send an <c>Idempotency-Key</c> header to make retries safe.</summary>
public sealed record IssueLeaseRequest(string Role, string Run, string Step, string Purpose, long? TtlSeconds);

/// <summary>Body of <c>POST /v1/leases/{id}/renew</c>; the bearer must be a fresh token of the same run.</summary>
public sealed record RenewLeaseRequest(long? TtlSeconds);
