using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Hashed operator tokens in PostgreSQL. A hash (or id) taken twice, even by two nodes at once, is
/// refused by the table's unique constraint, which rolls the audit record back with it.
/// </summary>
public sealed class PostgresOperatorTokenStore(PostgresDatabase db, PostgresAuditAppender audit) : IOperatorTokenStore
{
    public async Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<OperatorTokenRow>(new CommandDefinition(OperatorTokenSql.FindByHash, new { Hash = hash }, cancellationToken: ct));
        return row?.ToToken();
    }

    public async Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<OperatorTokenRow>(new CommandDefinition(OperatorTokenSql.List, cancellationToken: ct));
        return rows.Select(r => r.ToToken()).ToList();
    }

    public Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(OperatorTokenSql.Insert, OperatorTokenRow.Of(token), tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(OperatorTokenSql.Revoke, new { Id = id, Now = now }, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);
}
