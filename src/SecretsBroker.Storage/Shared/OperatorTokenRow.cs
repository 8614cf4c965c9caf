using NodaTime;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Storage.Shared;

/// <summary>An <c>operator_token</c> row: its scopes are one comma-separated column.</summary>
internal sealed class OperatorTokenRow
{
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public string Scopes { get; init; } = "";

    public string Hash { get; init; } = "";

    public Instant CreatedAt { get; init; }

    public Instant ExpiresAt { get; init; }

    public Instant? RevokedAt { get; init; }

    public string CreatedBy { get; init; } = "";

    public string? Person { get; init; }

    public static OperatorTokenRow Of(OperatorToken token) => new()
    {
        Id = token.Id,
        Name = token.Name,
        Scopes = string.Join(',', token.Scopes),
        Hash = token.Hash,
        CreatedAt = token.CreatedAt,
        ExpiresAt = token.ExpiresAt,
        RevokedAt = token.RevokedAt,
        CreatedBy = token.CreatedBy,
        Person = token.Person,
    };

    public OperatorToken ToToken() =>
        new(Id, Name, Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries), Hash, CreatedAt, ExpiresAt, RevokedAt, CreatedBy, Person);
}
