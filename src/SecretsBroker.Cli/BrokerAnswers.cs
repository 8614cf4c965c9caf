using SecretsBroker.Contracts.Health;
using SecretsBroker.Contracts.Secrets;

namespace SecretsBroker.Cli;

/// <summary>Answer of <c>GET /readyz</c>: whether the broker serves requests, and its checks.</summary>
internal sealed record Readiness(bool IsReady, HealthReport Report);

/// <summary>Answer of <c>PUT /v1/secrets/{name}</c>: the metadata, and whether the secret is new (201).</summary>
internal sealed record PutSecretResult(SecretMetadata Secret, bool Created);
