namespace SecretsBroker.Contracts.Tokens;

/// <summary>An operator token as listed: never its value, which exists only in <see cref="CreatedToken"/>.</summary>
public sealed record TokenInfo(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string CreatedBy);

/// <summary>Answer of <c>POST /v1/tokens</c>: the only time the token value is shown.</summary>
public sealed record CreatedToken(string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt, string Token);

/// <summary>Answer of <c>GET /v1/tokens</c>.</summary>
public sealed record TokenList(IReadOnlyList<TokenInfo> Tokens);
