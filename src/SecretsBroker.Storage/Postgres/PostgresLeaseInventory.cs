using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>The lease inventory in PostgreSQL.</summary>
public sealed class PostgresLeaseInventory(PostgresDatabase db) : ILeaseInventory
{
    public Task<IReadOnlyList<Lease>> PageAsync(LeaseFilter filter, string? after, int limit, NodaTime.Instant now, CancellationToken ct) => throw new NotImplementedException();
}
