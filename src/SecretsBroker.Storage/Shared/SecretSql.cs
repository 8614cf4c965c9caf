namespace SecretsBroker.Storage.Shared;

/// <summary>The secret store's statements that SQLite and PostgreSQL run unchanged.</summary>
internal static class SecretSql
{
    public const string Find = "SELECT name, type, current_version, field_names, created_at, updated_at, rotate_every_seconds FROM root_secret WHERE name = @Name";

    public const string List = "SELECT name, type, current_version, field_names, created_at, updated_at, rotate_every_seconds FROM root_secret ORDER BY name";

    public const string DueForRotation = """
        SELECT name FROM root_secret
        WHERE rotate_every_seconds IS NOT NULL AND updated_at + rotate_every_seconds * 1000 <= @Now
        ORDER BY name
        """;

    public const string Versions = "SELECT name, version, created_at, created_by FROM root_secret_version WHERE name = @Name ORDER BY version";

    public const string AllVersions = "SELECT name, version, created_at, created_by FROM root_secret_version ORDER BY name, version";

    public const string CurrentVersion = "SELECT current_version FROM root_secret WHERE name = @Name";

    // Conditional on the version before, so of two writers of one number only the first to commit moves
    // the secret on; the other's update finds the number taken and changes nothing.
    public const string Upsert = """
        INSERT INTO root_secret (name, type, current_version, field_names, created_at, updated_at, rotate_every_seconds)
        VALUES (@Name, @Type, @Version, @FieldNames, @CreatedAt, @CreatedAt, @RotateEverySeconds)
        ON CONFLICT (name) DO UPDATE SET type = excluded.type, current_version = excluded.current_version,
            field_names = excluded.field_names, updated_at = excluded.updated_at, rotate_every_seconds = excluded.rotate_every_seconds
        WHERE root_secret.current_version = @Version - 1
        """;

    // The primary key settles a number two writers want (a new version, a pending rotation): the one
    // that inserts nothing has lost.
    public const string InsertVersion = """
        INSERT INTO root_secret_version (name, version, ciphertext, public_part, created_at, created_by)
        VALUES (@Name, @Version, @Ciphertext, @PublicPart, @CreatedAt, @CreatedBy)
        ON CONFLICT (name, version) DO NOTHING
        """;

    // An old version's value has no use once replaced, and a value that is gone cannot leak.
    public const string ForgetOlderValues = "UPDATE root_secret_version SET ciphertext = NULL WHERE name = @Name AND version < @Version";

    public const string ReadCiphertext = """
        SELECT v.version, v.ciphertext FROM root_secret s
        JOIN root_secret_version v ON v.name = s.name AND v.version = s.current_version
        WHERE s.name = @Name
        """;

    public const string PublicParts = """
        SELECT v.name, v.version, v.public_part, v.created_at, next.created_at AS replaced_at
        FROM root_secret s
        JOIN root_secret_version v ON v.name = s.name
        LEFT JOIN root_secret_version next ON next.name = v.name AND next.version = v.version + 1
        WHERE s.type = @Type AND v.public_part IS NOT NULL
        ORDER BY v.created_at DESC
        """;

    public const string Promote = """
        UPDATE root_secret SET current_version = @Version, updated_at = @Now
        WHERE name = @Name AND current_version = @Version - 1
          AND EXISTS (SELECT 1 FROM root_secret_version WHERE name = @Name AND version = @Version AND ciphertext IS NOT NULL)
        """;

    public const string DropPending = """
        DELETE FROM root_secret_version
        WHERE name = @Name AND version = @Version AND version > (SELECT current_version FROM root_secret WHERE name = @Name)
        """;

    public const string PendingVersions = """
        SELECT v.name, s.type, v.version, v.ciphertext FROM root_secret_version v
        JOIN root_secret s ON s.name = v.name
        WHERE v.version > s.current_version AND v.ciphertext IS NOT NULL
        ORDER BY v.name, v.version
        """;

    public const string DeleteVersions = "DELETE FROM root_secret_version WHERE name = @Name";

    public const string Delete = "DELETE FROM root_secret WHERE name = @Name";
}
