using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>Operator tokens in a list, with the SQL store's rules.</summary>
internal sealed class InMemoryTokenStore(InMemoryAuditStore trail) : IOperatorTokenStore
{
    /// <summary>A trail of its own; <see cref="Contracts.InMemoryStores"/> passes one shared by every fake.</summary>
    public InMemoryTokenStore()
        : this(new InMemoryAuditStore())
    {
    }

    /// <summary>The trail this store appends to, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit => trail.Events;

    public List<OperatorToken> Tokens { get; } = [];

    public Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct) =>
        Task.FromResult(Tokens.SingleOrDefault(t => t.Hash == hash));

    public Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<OperatorToken>>(Tokens);

    public Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct)
    {
        Tokens.Add(token);
        trail.Append(record);
        return Task.CompletedTask;
    }

    public Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct)
    {
        var index = Tokens.FindIndex(t => t.Id == id && t.RevokedAt is null);
        if (index < 0)
        {
            return Task.FromResult(false);
        }

        Tokens[index] = Tokens[index] with { RevokedAt = now };
        trail.Append(record);
        return Task.FromResult(true);
    }
}
