namespace SecretsBroker.Contracts.Tokens;

/// <summary>Body of <c>POST /v1/tokens</c>. Scopes: <c>admin</c>, <c>security</c>, <c>operator</c>.</summary>
public sealed record CreateTokenRequest(string Name, IReadOnlyList<string> Scopes, long? TtlSeconds);
