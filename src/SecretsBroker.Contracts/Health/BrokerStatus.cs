namespace SecretsBroker.Contracts.Health;

/// <summary>
/// Answer of <c>GET /v1/status</c>: the broker and who the caller is. <see cref="Node"/> and
/// <see cref="PolicySha256"/> (of the policy in force, null when there is none) are this node's, so
/// behind a load balancer a node with a stale policy shows.
/// </summary>
public sealed record BrokerStatus(string Version, string Caller, IReadOnlyList<string> Scopes, string Node, string? PolicySha256);

/// <summary>Answer of <c>GET /healthz</c> and <c>GET /readyz</c>.</summary>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string> Checks);
