using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Identity;

/// <summary>Issues, checks and revokes operator tokens.</summary>
public sealed class OperatorTokenService(IOperatorTokenStore store, IClock clock)
{
    public static readonly Duration DefaultTtl = Duration.FromDays(30);
    public static readonly Duration MaxTtl = Duration.FromDays(366);
    public static readonly Duration MinTtl = Duration.FromMinutes(1);

    /// <summary>
    /// A new token; the value in the answer exists nowhere else and is shown once. It speaks for
    /// <paramref name="person"/> (its creator's person, when the creator is one or speaks for one).
    /// </summary>
    public async Task<Result<(OperatorToken Token, string Value)>> CreateAsync(
        string? name, IReadOnlyList<string>? scopes, Duration? ttl, AuditContext who, CancellationToken ct, string? person = null)
    {
        if (ResourceName.Check(name, "token name") is { } badName)
        {
            return badName;
        }

        if (scopes is null || scopes.Count == 0 || scopes.Any(s => !Scopes.IsKnown(s)))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidScope, $"Scopes must be one or more of: {string.Join(", ", Scopes.All)}.");
        }

        var lifetime = ttl ?? DefaultTtl;
        if (lifetime < MinTtl || lifetime > MaxTtl)
        {
            return BrokerError.Invalid(ErrorCodes.InvalidTtl, "The token lifetime must be between one minute and 366 days.");
        }

        var value = TokenSecret.NewValue();
        var now = clock.StoredNow();
        var token = new OperatorToken(
            TokenSecret.NewId(), name!, scopes.Distinct(StringComparer.Ordinal).ToList(), TokenSecret.Hash(value), now, now + lifetime, null, who.Actor, person);
        var audit = new AuditRecord(now, who, AuditActions.TokenCreate, Target(token.Id), AuditDecision.Allowed, $"scopes {string.Join(",", token.Scopes)}");
        await store.AddAsync(token, audit, ct);
        return (token, value);
    }

    /// <summary>The live token with this value, or null (unknown, revoked or expired alike).</summary>
    public async Task<OperatorToken?> AuthenticateAsync(string? presented, CancellationToken ct)
    {
        if (!TokenSecret.LooksValid(presented))
        {
            return null;
        }

        var token = await store.FindByHashAsync(TokenSecret.Hash(presented!), ct);
        return token is not null && token.IsUsableAt(clock.GetCurrentInstant()) ? token : null;
    }

    public Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct) => store.ListAsync(ct);

    public async Task<Result<bool>> RevokeAsync(string id, AuditContext who, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            return BrokerError.Invalid(ErrorCodes.InvalidName, "The token id is not valid.");
        }

        var now = clock.GetCurrentInstant();
        var audit = new AuditRecord(now, who, AuditActions.TokenRevoke, Target(id), AuditDecision.Allowed);
        return await store.RevokeAsync(id, now, audit, ct)
            ? true
            : BrokerError.NotFound(ErrorCodes.TokenNotFound, "No live token with that id.");
    }

    private static string Target(string id) => $"token:{id}";
}
