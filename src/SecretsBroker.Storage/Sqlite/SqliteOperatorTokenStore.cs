using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Operator tokens in SQLite, looked up by the SHA-256 of their value (unique index).</summary>
public sealed class SqliteOperatorTokenStore(SqliteDatabase db, SqliteAuditAppender audit) : IOperatorTokenStore
{
    public async Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<OperatorTokenRow>(new CommandDefinition(OperatorTokenSql.FindByHash, new { Hash = hash }, cancellationToken: ct));
        return row?.ToToken();
    }

    public async Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<OperatorTokenRow>(new CommandDefinition(OperatorTokenSql.List, cancellationToken: ct));
        return rows.Select(r => r.ToToken()).ToList();
    }

    public async Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        await c.ExecuteAsync(new CommandDefinition(OperatorTokenSql.Insert, OperatorTokenRow.Of(token), tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        if (await c.ExecuteAsync(new CommandDefinition(OperatorTokenSql.Revoke, new { Id = id, Now = now }, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
