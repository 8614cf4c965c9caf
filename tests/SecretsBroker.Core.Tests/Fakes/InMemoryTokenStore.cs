using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Core.Tests.Fakes;

internal sealed class InMemoryTokenStore : IOperatorTokenStore
{
    public List<OperatorToken> Tokens { get; } = [];

    public List<AuditRecord> Audit { get; } = [];

    public Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct) =>
        Task.FromResult(Tokens.SingleOrDefault(t => t.Hash == hash));

    public Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<OperatorToken>>(Tokens);

    public Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct)
    {
        Tokens.Add(token);
        Audit.Add(record);
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
        Audit.Add(record);
        return Task.FromResult(true);
    }
}
