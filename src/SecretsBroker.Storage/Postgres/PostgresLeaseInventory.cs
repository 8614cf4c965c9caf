using Dapper;
using NodaTime;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>The security team's view of leases in PostgreSQL: read-only, page by page in lease id order (ids collate "C", so ordinal).</summary>
public sealed class PostgresLeaseInventory(PostgresDatabase db) : ILeaseInventory
{
    public async Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after, int limit, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<LeaseRow>(new CommandDefinition(LeaseSql.Page(filter), LeaseSql.PageParameters(filter, after, limit, now), cancellationToken: ct));
        return rows.Select(r => r.ToLease()).ToList();
    }
}
