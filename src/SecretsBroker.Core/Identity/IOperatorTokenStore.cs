using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Core.Identity;

/// <summary>Operator tokens at rest (hashes only). Writes commit their audit event in the same transaction.</summary>
public interface IOperatorTokenStore
{
    Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct);

    Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct);

    Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct);

    /// <summary>Marks the token revoked; false when there is no such live token.</summary>
    Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct);
}
