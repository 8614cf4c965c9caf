using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Storage.Shared;

/// <summary>A <c>lease</c> row as Dapper reads it.</summary>
internal sealed class LeaseRow
{
    public string Id { get; init; } = "";

    public string Role { get; init; } = "";

    public string Provider { get; init; } = "";

    public string Secret { get; init; } = "";

    public string Handle { get; init; } = "";

    public string Issuer { get; init; } = "";

    public string Subject { get; init; } = "";

    public string RunId { get; init; } = "";

    public string? JobId { get; init; }

    public string Step { get; init; } = "";

    public string Purpose { get; init; } = "";

    public string Rule { get; init; } = "";

    public string State { get; init; } = "";

    public Instant IssuedAt { get; init; }

    public Instant ExpiresAt { get; init; }

    public Instant MaxExpiresAt { get; init; }

    public bool Renewable { get; init; }

    public string? IdempotencyKey { get; init; }

    public string? RevokeReason { get; init; }

    public Instant? RevokedAt { get; init; }

    public bool BreakGlass { get; init; }

    public int RevokeAttempts { get; init; }

    public string? Project { get; init; }

    public Lease ToLease() => new(
        Id, Role, Provider, Secret, Handle, Issuer, Subject, RunId, JobId, Step, Purpose, Rule, State,
        IssuedAt, ExpiresAt, MaxExpiresAt, Renewable, IdempotencyKey, RevokeReason, RevokedAt, BreakGlass, Project: Project);
}
