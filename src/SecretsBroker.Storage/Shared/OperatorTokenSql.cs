namespace SecretsBroker.Storage.Shared;

/// <summary>The operator token statements, which SQLite and PostgreSQL run unchanged.</summary>
internal static class OperatorTokenSql
{
    private const string Columns = "id, name, scopes, hash, created_at, expires_at, revoked_at, created_by, person";

    public const string FindByHash = $"SELECT {Columns} FROM operator_token WHERE hash = @Hash";

    public const string List = $"SELECT {Columns} FROM operator_token ORDER BY created_at, id";

    // No existence check first: the unique hash (and the primary key) refuse a taken one, even from two nodes at once.
    public const string Insert = """
        INSERT INTO operator_token (id, name, scopes, hash, created_at, expires_at, revoked_at, created_by, person)
        VALUES (@Id, @Name, @Scopes, @Hash, @CreatedAt, @ExpiresAt, NULL, @CreatedBy, @Person)
        """;

    public const string Revoke = "UPDATE operator_token SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL";
}
