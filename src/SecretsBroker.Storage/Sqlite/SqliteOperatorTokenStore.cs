using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Operator tokens in SQLite, looked up by the SHA-256 of their value (unique index).</summary>
public sealed class SqliteOperatorTokenStore(SqliteDatabase db, SqliteAuditAppender audit) : IOperatorTokenStore
{
    private static class Sql
    {
        private const string Columns = "id, name, scopes, hash, created_at, expires_at, revoked_at, created_by, person";

        public const string FindByHash = $"SELECT {Columns} FROM operator_token WHERE hash = @Hash";

        public const string List = $"SELECT {Columns} FROM operator_token ORDER BY created_at, id";

        public const string Insert = """
            INSERT INTO operator_token (id, name, scopes, hash, created_at, expires_at, revoked_at, created_by, person)
            VALUES (@Id, @Name, @Scopes, @Hash, @CreatedAt, @ExpiresAt, NULL, @CreatedBy, @Person)
            """;

        public const string Revoke = "UPDATE operator_token SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL";
    }

    public async Task<OperatorToken?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(Sql.FindByHash, new { Hash = hash }, cancellationToken: ct));
        return row?.ToToken();
    }

    public async Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<TokenRow>(new CommandDefinition(Sql.List, cancellationToken: ct));
        return rows.Select(r => r.ToToken()).ToList();
    }

    public async Task AddAsync(OperatorToken token, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        var args = new { token.Id, token.Name, Scopes = string.Join(',', token.Scopes), token.Hash, token.CreatedAt, token.ExpiresAt, token.CreatedBy, token.Person };
        await c.ExecuteAsync(new CommandDefinition(Sql.Insert, args, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> RevokeAsync(string id, Instant now, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        if (await c.ExecuteAsync(new CommandDefinition(Sql.Revoke, new { Id = id, Now = now }, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private sealed class TokenRow
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

        public OperatorToken ToToken() =>
            new(Id, Name, Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries), Hash, CreatedAt, ExpiresAt, RevokedAt, CreatedBy, Person);
    }
}
