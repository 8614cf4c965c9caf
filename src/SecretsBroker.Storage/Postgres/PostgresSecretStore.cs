using Dapper;
using NodaTime;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Root secrets and their versions in PostgreSQL. Every change to one secret's versions first locks its
/// <c>root_secret</c> row (<see cref="Sql.LockSecret"/>) and only then reads what it decides on, in
/// statements whose snapshots are taken after the lock: so of two nodes rotating, promoting, dropping
/// or deleting one secret at once, the second sees what the first committed. A new secret has no row to
/// lock yet; its first version is settled by the keys (<see cref="SecretSql.Upsert"/>,
/// <see cref="SecretSql.InsertVersion"/>).
/// </summary>
public sealed class PostgresSecretStore(PostgresDatabase db, PostgresAuditAppender audit) : ISecretStore
{
    private static class Sql
    {
        public const string LockSecret = "SELECT current_version FROM root_secret WHERE name = @Name FOR UPDATE";
    }

    public async Task<RootSecret?> FindAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.FindAsync(c, name, ct);
    }

    public async Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.ListAsync(c, ct);
    }

    public async Task<int> CurrentVersionAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.CurrentVersionAsync(c, name, ct);
    }

    public async Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var args = SecretVersionParameters.Of(version);
        // The upsert locks the secret's row (or, for a new secret, its key) and re-reads the current
        // version once a racing writer commits, so only one writer of a number moves the secret on; a
        // number a pending rotation holds inserts no version. A refusal rolls back with the transaction.
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
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.ReadCiphertextAsync(c, name, ct);
    }

    public async Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.PublicPartsAsync(c, type, ct);
    }

    public Task<bool> AddPendingVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            // Two rotations of one secret queue on its row; the second then finds the number taken.
            if (await LockAsync(c, tx, version.Name, ct) != version.Version - 1
                || await c.ExecuteAsync(new CommandDefinition(SecretSql.InsertVersion, SecretVersionParameters.Of(version), tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task<bool> PromoteAsync(string name, int version, Instant now, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            // Locked first, so a pending version dropped on another node is gone by the time the
            // promotion looks for it, and of two promotions the second finds the number current.
            var args = new { Name = name, Version = version, Now = now };
            if (await LockAsync(c, tx, name, ct) is null
                || await c.ExecuteAsync(new CommandDefinition(SecretSql.Promote, args, tx, cancellationToken: ct)) == 0)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(SecretSql.ForgetOlderValues, args, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            // Locked first, so a version promoted on another node meanwhile is seen as current and kept.
            await LockAsync(c, tx, name, ct);
            await c.ExecuteAsync(new CommandDefinition(SecretSql.DropPending, new { Name = name, Version = version }, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    public async Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.DueForRotationAsync(c, now, ct);
    }

    public async Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SecretReads.PendingVersionsAsync(c, ct);
    }

    public Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            // Locked first, so a version another node adds meanwhile is deleted with the rest, never left behind.
            if (await LockAsync(c, tx, name, ct) is null)
            {
                return false;
            }

            await c.ExecuteAsync(new CommandDefinition(SecretSql.DeleteVersions, new { Name = name }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(SecretSql.Delete, new { Name = name }, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, record, ct);
            return true;
        }, ct);

    /// <summary>Locks the secret's row until commit; its current version, or null for an unknown secret.</summary>
    private static Task<int?> LockAsync(NpgsqlConnection c, NpgsqlTransaction tx, string name, CancellationToken ct) =>
        c.ExecuteScalarAsync<int?>(new CommandDefinition(Sql.LockSecret, new { Name = name }, tx, cancellationToken: ct));
}
