using Dapper;
using NodaTime;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>The security team's view of leases in SQLite: read-only, page by page in lease id order.</summary>
public sealed class SqliteLeaseInventory(SqliteDatabase db) : ILeaseInventory
{
    public async Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after, int limit, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var args = LeaseSql.PageParameters(filter, after, limit, now);
        var rows = await c.QueryAsync<LeaseRow>(new CommandDefinition(LeaseSql.Page(filter), args, cancellationToken: ct));
        return rows.Select(r => r.ToLease()).ToList();
    }
}
