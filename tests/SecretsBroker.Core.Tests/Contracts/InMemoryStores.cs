using SecretsBroker.Core.Tests.Fakes;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.Core.Tests.Contracts;

/// <summary>
/// The in-memory fakes as one backend: every fake appends to one shared trail, as the SQL stores append
/// in the transaction of their change; the inventory and the identity store read the lease fake's rows,
/// and the outbox reads the break-glass fake's requests. A contract's hooks reach into a fake through
/// its type (<c>(InMemoryAuditStore)Stores.Audit</c>).
/// </summary>
internal static class InMemoryStores
{
    public static Task<BrokerStores> OpenAsync()
    {
        var trail = new InMemoryAuditStore();
        var leases = new InMemoryLeaseStore(trail);
        var breakGlass = new InMemoryBreakGlassStore(trail, leases);
        var identities = new InMemoryIdentityStore(trail, leases);
        leases.Sightings = identities.RecordSighting;
        return Task.FromResult(new BrokerStores
        {
            Leases = leases,
            RunCompletions = leases,
            LeaseInventory = new InMemoryLeaseInventory(leases),
            Secrets = new InMemorySecretStore(trail),
            Audit = trail,
            Identities = identities,
            BreakGlass = breakGlass,
            Alerts = breakGlass.Alerts,
            Tokens = new InMemoryTokenStore(trail),
            Chain = trail.Chain,
        });
    }
}
