using System.Data;
using Dapper;
using NodaTime;
using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Shared;

/// <summary>The identity store's reads, the same on either dialect's connection; each store only opens it.</summary>
internal static class IdentityReads
{
    public static async Task<IReadOnlyList<SeenIdentity>> PageAsync(IDbConnection c, long after, int limit, Instant now, CancellationToken ct) =>
        (await c.QueryAsync<SeenIdentityRow>(new CommandDefinition(IdentitySql.Page, new { After = after, Limit = limit, Now = now }, cancellationToken: ct)))
            .Select(r => r.ToSeen()).ToList();

    public static async Task<RevocationProgress?> ProgressAsync(IDbConnection c, string revocationId, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<IdentityRevocationRow>(new CommandDefinition(IdentitySql.Revocation, new { Id = revocationId }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        var counts = await c.QuerySingleAsync<(long Total, long Done, long Failed, long Pending)>(new CommandDefinition(IdentitySql.Progress, new { Id = revocationId }, cancellationToken: ct));
        return row.ToProgress(counts);
    }

    public static async Task<IReadOnlyList<BlockRule>> BlockRulesAsync(IDbConnection c, IDbTransaction? tx, CancellationToken ct) =>
        (await c.QueryAsync<BlockRuleRow>(new CommandDefinition(IdentitySql.BlockRules, transaction: tx, cancellationToken: ct))).Select(r => r.ToRule()).ToList();
}
