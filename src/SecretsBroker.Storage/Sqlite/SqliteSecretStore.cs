using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Root secrets in SQLite: metadata in <c>root_secret</c>, ciphertext in <c>root_secret_version</c>.</summary>
public sealed class SqliteSecretStore(SqliteDatabase db, SqliteAuditAppender audit) : ISecretStore
{
    private static class Sql
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

        public const string Upsert = """
            INSERT INTO root_secret (name, type, current_version, field_names, created_at, updated_at, rotate_every_seconds)
            VALUES (@Name, @Type, @Version, @FieldNames, @CreatedAt, @CreatedAt, @RotateEverySeconds)
            ON CONFLICT (name) DO UPDATE SET type = excluded.type, current_version = excluded.current_version,
                field_names = excluded.field_names, updated_at = excluded.updated_at, rotate_every_seconds = excluded.rotate_every_seconds
            WHERE root_secret.current_version = @Version - 1
            """;

        public const string InsertVersion = """
            INSERT INTO root_secret_version (name, version, ciphertext, public_part, created_at, created_by)
            VALUES (@Name, @Version, @Ciphertext, @PublicPart, @CreatedAt, @CreatedBy)
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

        public const string InsertPending = """
            INSERT INTO root_secret_version (name, version, ciphertext, public_part, created_at, created_by)
            SELECT @Name, @Version, @Ciphertext, @PublicPart, @CreatedAt, @CreatedBy
            WHERE EXISTS (SELECT 1 FROM root_secret WHERE name = @Name AND current_version = @Version - 1)
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

    public async Task<RootSecret?> FindAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SecretRow>(new CommandDefinition(Sql.Find, new { Name = name }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        var versions = await c.QueryAsync<VersionRow>(new CommandDefinition(Sql.Versions, new { Name = name }, cancellationToken: ct));
        return row.ToSecret(versions);
    }

    public async Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<SecretRow>(new CommandDefinition(Sql.List, cancellationToken: ct));
        var versions = (await c.QueryAsync<VersionRow>(new CommandDefinition(Sql.AllVersions, cancellationToken: ct))).ToLookup(v => v.Name);
        return rows.Select(r => r.ToSecret(versions[r.Name])).ToList();
    }

    public async Task<int> CurrentVersionAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await c.ExecuteScalarAsync<int?>(new CommandDefinition(Sql.CurrentVersion, new { Name = name }, cancellationToken: ct)) ?? 0;
    }

    public async Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        var args = new
        {
            version.Name,
            version.Type,
            version.Version,
            FieldNames = string.Join(',', version.FieldNames),
            version.Ciphertext,
            version.CreatedAt,
            version.CreatedBy,
            version.PublicPart,
            RotateEverySeconds = version.RotateEvery is { } every ? (long?)every.TotalSeconds : null,
        };
        if (await c.ExecuteAsync(new CommandDefinition(Sql.Upsert, args, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        try
        {
            await c.ExecuteAsync(new CommandDefinition(Sql.InsertVersion, args, tx, cancellationToken: ct));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // SQLITE_CONSTRAINT: this version number was taken (a secret deleted and re-created
            // between our read and our write); the caller reads again and retries.
            return false;
        }

        await c.ExecuteAsync(new CommandDefinition(Sql.ForgetOlderValues, args, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<CiphertextRow>(new CommandDefinition(Sql.ReadCiphertext, new { Name = name }, cancellationToken: ct));
        return row?.Ciphertext is null ? null : (row.Version, row.Ciphertext);
    }

    public async Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<PublicPartRow>(new CommandDefinition(Sql.PublicParts, new { Type = type }, cancellationToken: ct));
        return rows.Select(r => new PublicSecretPart(r.Name, r.Version, r.PublicPart, r.CreatedAt, r.ReplacedAt)).ToList();
    }

    public async Task<bool> AddPendingVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        var args = new { version.Name, version.Version, version.Ciphertext, version.PublicPart, version.CreatedAt, version.CreatedBy };
        try
        {
            if (await c.ExecuteAsync(new CommandDefinition(Sql.InsertPending, args, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // SQLITE_CONSTRAINT: another rotation already holds this version number.
            return false;
        }

        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> PromoteAsync(string name, int version, Instant now, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        var args = new { Name = name, Version = version, Now = now };
        if (await c.ExecuteAsync(new CommandDefinition(Sql.Promote, args, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await c.ExecuteAsync(new CommandDefinition(Sql.ForgetOlderValues, args, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        await c.ExecuteAsync(new CommandDefinition(Sql.DropPending, new { Name = name, Version = version }, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(Sql.DueForRotation, new { Now = now }, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var rows = await c.QueryAsync<PendingRow>(new CommandDefinition(Sql.PendingVersions, cancellationToken: ct));
        return rows.Select(r => new PendingSecretVersion(r.Name, r.Type, r.Version, r.Ciphertext)).ToList();
    }

    public async Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        await c.ExecuteAsync(new CommandDefinition(Sql.DeleteVersions, new { Name = name }, tx, cancellationToken: ct));
        if (await c.ExecuteAsync(new CommandDefinition(Sql.Delete, new { Name = name }, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private sealed class SecretRow
    {
        public string Name { get; init; } = "";

        public string Type { get; init; } = "";

        public int CurrentVersion { get; init; }

        public string FieldNames { get; init; } = "";

        public Instant CreatedAt { get; init; }

        public Instant UpdatedAt { get; init; }

        public long? RotateEverySeconds { get; init; }

        public RootSecret ToSecret(IEnumerable<VersionRow> versions) => new(
            Name,
            Type,
            CurrentVersion,
            FieldNames.Split(',', StringSplitOptions.RemoveEmptyEntries),
            CreatedAt,
            UpdatedAt,
            versions.Select(v => new RootSecretVersion(v.Version, v.CreatedAt, v.CreatedBy)).ToList())
        {
            RotateEvery = RotateEverySeconds is { } s ? Duration.FromSeconds(s) : null,
        };
    }

    private sealed class VersionRow
    {
        public string Name { get; init; } = "";

        public int Version { get; init; }

        public Instant CreatedAt { get; init; }

        public string CreatedBy { get; init; } = "";
    }

    private sealed class PublicPartRow
    {
        public string Name { get; init; } = "";

        public int Version { get; init; }

        public string PublicPart { get; init; } = "";

        public Instant CreatedAt { get; init; }

        public Instant? ReplacedAt { get; init; }
    }

    private sealed class PendingRow
    {
        public string Name { get; init; } = "";

        public string Type { get; init; } = "";

        public int Version { get; init; }

        public string Ciphertext { get; init; } = "";
    }

    private sealed class CiphertextRow
    {
        public int Version { get; init; }

        public string? Ciphertext { get; init; }
    }
}
