using System.Data;
using Dapper;
using NodaTime;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Shared;

/// <summary>The secret store's reads, the same on either dialect's connection; each store only opens it.</summary>
internal static class SecretReads
{
    public static async Task<RootSecret?> FindAsync(IDbConnection c, string name, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<RootSecretRow>(new CommandDefinition(SecretSql.Find, new { Name = name }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        var versions = await c.QueryAsync<SecretVersionRow>(new CommandDefinition(SecretSql.Versions, new { Name = name }, cancellationToken: ct));
        return row.ToSecret(versions);
    }

    public static async Task<IReadOnlyList<RootSecret>> ListAsync(IDbConnection c, CancellationToken ct)
    {
        var rows = await c.QueryAsync<RootSecretRow>(new CommandDefinition(SecretSql.List, cancellationToken: ct));
        var versions = (await c.QueryAsync<SecretVersionRow>(new CommandDefinition(SecretSql.AllVersions, cancellationToken: ct))).ToLookup(v => v.Name);
        return rows.Select(r => r.ToSecret(versions[r.Name])).ToList();
    }

    public static async Task<int> CurrentVersionAsync(IDbConnection c, string name, CancellationToken ct) =>
        await c.ExecuteScalarAsync<int?>(new CommandDefinition(SecretSql.CurrentVersion, new { Name = name }, cancellationToken: ct)) ?? 0;

    public static async Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(IDbConnection c, string name, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<CiphertextRow>(new CommandDefinition(SecretSql.ReadCiphertext, new { Name = name }, cancellationToken: ct));
        return row?.Ciphertext is null ? null : (row.Version, row.Ciphertext);
    }

    public static async Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(IDbConnection c, string type, CancellationToken ct) =>
        (await c.QueryAsync<PublicPartRow>(new CommandDefinition(SecretSql.PublicParts, new { Type = type }, cancellationToken: ct))).Select(r => r.ToPart()).ToList();

    public static async Task<IReadOnlyList<string>> DueForRotationAsync(IDbConnection c, Instant now, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(SecretSql.DueForRotation, new { Now = now }, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(IDbConnection c, CancellationToken ct) =>
        (await c.QueryAsync<PendingVersionRow>(new CommandDefinition(SecretSql.PendingVersions, cancellationToken: ct))).Select(r => r.ToPending()).ToList();
}
