namespace SecretsBroker.Contracts.Health;

/// <summary>Answer of <c>GET /v1/status</c>: the broker and who the caller is.</summary>
public sealed record BrokerStatus(string Version, string Caller, IReadOnlyList<string> Scopes);

/// <summary>Answer of <c>GET /healthz</c> and <c>GET /readyz</c>.</summary>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string> Checks);
