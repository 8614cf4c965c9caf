using System.Data;
using Dapper;
using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Shared;

/// <summary>The two backlog counts the metrics show, read the same way on SQLite and PostgreSQL.</summary>
internal static class BacklogReader
{
    public static async Task<BreakGlassBacklog> BreakGlassAsync(IDbConnection c, Instant now, CancellationToken ct)
    {
        var (pending, unreviewed) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition(BreakGlassSql.CountBacklog, new { Now = now }, cancellationToken: ct));
        return new BreakGlassBacklog(pending, unreviewed);
    }

    public static async Task<AlertBacklog> AlertsAsync(IDbConnection c, CancellationToken ct)
    {
        var (undelivered, failing) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition(AlertOutboxSql.CountBacklog, cancellationToken: ct));
        return new AlertBacklog(undelivered, failing);
    }
}
