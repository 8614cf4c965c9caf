using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// Operator tokens in a list with the SQL store's rules (proven by the operator token store contract):
/// id and hash unique, listed oldest first, revoked once, instants kept at the stored precision.
/// </summary>
internal sealed class InMemoryTokenStore(InMemoryAuditStore trail) : IOperatorTokenStore
{
    private readonly object gate = new();

    /// <summary>A trail of its own; <see cref="Contracts.InMemoryStores"/> passes one shared by every fake.</summary>
    public InMemoryTokenStore()
        : this(new InMemoryAuditStore())
    {
    }

    /// <summary>The trail this store appends to, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit => trail.Events;

    public List<OperatorToken> Tokens { get; } = [];

    public Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Tokens.SingleOrDefault(t => t.Hash == hash));
        }
    }

    public Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<OperatorToken>>(Tokens.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList());
        }
    }

    public Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (Tokens.Any(t => t.Id == token.Id || t.Hash == token.Hash))
            {
                throw new InvalidOperationException("A token with this id or hash is already stored.");
            }

            Tokens.Add(token with { CreatedAt = token.CreatedAt.AtStoredPrecision(), ExpiresAt = token.ExpiresAt.AtStoredPrecision(), RevokedAt = null });
            trail.Append(record);
            return Task.CompletedTask;
        }
    }

    public Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            var index = Tokens.FindIndex(t => t.Id == id && t.RevokedAt is null);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            Tokens[index] = Tokens[index] with { RevokedAt = now.AtStoredPrecision() };
            trail.Append(record);
            return Task.FromResult(true);
        }
    }
}
