namespace SecretsBroker.Contracts.Secrets;

/// <summary>
/// Body of <c>PUT /v1/secrets/{name}</c>: the secret's type and its fields (values are write-only),
/// and optionally how often the broker rotates it (types it can rotate only).
/// </summary>
public sealed record PutSecretRequest(string Type, IReadOnlyDictionary<string, string> Fields, long? RotateEverySeconds = null);
