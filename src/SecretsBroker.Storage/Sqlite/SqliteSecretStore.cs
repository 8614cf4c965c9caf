using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Root secrets in SQLite: metadata in <c>root_secret</c>, ciphertext in <c>root_secret_version</c>.</summary>
public sealed class SqliteSecretStore(SqliteDatabase db, SqliteAuditAppender audit) : ISecretStore
{
    private static class Sql
    {
        public const string InsertPending = """
            INSERT INTO root_secret_version (name, version, ciphertext, public_part, created_at, created_by)
            SELECT @Name, @Version, @Ciphertext, @PublicPart, @CreatedAt, @CreatedBy
            WHERE EXISTS (SELECT 1 FROM root_secret WHERE name = @Name AND current_version = @Version - 1)
            """;
    }

    public async Task<RootSecret?> FindAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.FindAsync(c, name, ct);
    }

    public async Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.ListAsync(c, ct);
    }

    public async Task<int> CurrentVersionAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.CurrentVersionAsync(c, name, ct);
    }

    public async Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        var args = SecretVersionParameters.Of(version);
        // A version number already stored (a secret deleted and re-created between the caller's read
        // and this write, a pending rotation's) inserts nothing; the caller reads again and retries.
        if (await c.ExecuteAsync(new CommandDefinition(SecretSql.Upsert, args, tx, cancellationToken: ct)) == 0
            || await c.ExecuteAsync(new CommandDefinition(SecretSql.InsertVersion, args, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await c.ExecuteAsync(new CommandDefinition(SecretSql.ForgetOlderValues, args, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.ReadCiphertextAsync(c, name, ct);
    }

    public async Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.PublicPartsAsync(c, type, ct);
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
        if (await c.ExecuteAsync(new CommandDefinition(SecretSql.Promote, args, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await c.ExecuteAsync(new CommandDefinition(SecretSql.ForgetOlderValues, args, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        await c.ExecuteAsync(new CommandDefinition(SecretSql.DropPending, new { Name = name, Version = version }, tx, cancellationToken: ct));
        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.DueForRotationAsync(c, now, ct);
    }

    public async Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await SecretReads.PendingVersionsAsync(c, ct);
    }

    public async Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        await c.ExecuteAsync(new CommandDefinition(SecretSql.DeleteVersions, new { Name = name }, tx, cancellationToken: ct));
        if (await c.ExecuteAsync(new CommandDefinition(SecretSql.Delete, new { Name = name }, tx, cancellationToken: ct)) == 0)
        {
            return false;
        }

        await audit.AppendAsync(c, tx, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
