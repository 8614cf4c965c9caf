using System.Data;
using Dapper;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Shared;

/// <summary>Reads an undelivered alert with its request as it is now and the webhooks that have it, on either store's connection.</summary>
internal static class AlertToDeliverReader
{
    public static async Task<AlertToDeliver?> FindAsync(IDbConnection c, string alertId, CancellationToken ct)
    {
        var alert = await c.QuerySingleOrDefaultAsync<AlertRow>(new CommandDefinition(AlertOutboxSql.FindAlert, new { Id = alertId }, cancellationToken: ct));
        if (alert is null)
        {
            return null;
        }

        var request = await c.QuerySingleAsync<BreakGlassRequestRow>(new CommandDefinition(BreakGlassSql.FindRequest, new { Id = alert.RequestId }, cancellationToken: ct));
        var deliveredTo = await c.QueryAsync<string>(new CommandDefinition(AlertOutboxSql.AlertDeliveredTo, new { Id = alertId }, cancellationToken: ct));
        return new AlertToDeliver(alert.ToAlert(), request.ToRequest(), deliveredTo.ToHashSet(StringComparer.Ordinal));
    }
}
