using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>Hashed operator tokens in PostgreSQL.</summary>
public sealed class PostgresOperatorTokenStore(PostgresDatabase db, PostgresAuditAppender audit) : IOperatorTokenStore
{
    public Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct) => throw new NotImplementedException();

    public Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();
}
