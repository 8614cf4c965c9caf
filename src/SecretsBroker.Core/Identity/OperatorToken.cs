using NodaTime;

namespace SecretsBroker.Core.Identity;

/// <summary>A broker-issued bearer token as stored: only the SHA-256 of its value is kept.</summary>
public sealed record OperatorToken(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    string Hash,
    Instant CreatedAt,
    Instant ExpiresAt,
    Instant? RevokedAt,
    string CreatedBy,
    string? Person = null)
{
    public bool IsUsableAt(Instant now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>How the token appears as an actor in the audit trail: its id and name, never its value.</summary>
    public string Actor => $"token:{Id}:{Name}";
}
