using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Completion;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// Every store of one backend over one database: a lease written through <see cref="Leases"/> is seen
/// by <see cref="LeaseInventory"/>, and the audit record of any write is read back through
/// <see cref="Audit"/>, linked by <see cref="Chain"/>. Members are required, so a new one makes every
/// backend say how it opens it.
/// </summary>
public sealed record BrokerStores : IAsyncDisposable
{
    public required ILeaseStore Leases { get; init; }

    public required IRunCompletionStore RunCompletions { get; init; }

    public required ILeaseInventory LeaseInventory { get; init; }

    public required ISecretStore Secrets { get; init; }

    public required IAuditStore Audit { get; init; }

    public required IIdentityStore Identities { get; init; }

    public required IBreakGlassStore BreakGlass { get; init; }

    public required IAlertOutbox Alerts { get; init; }

    public required IOperatorTokenStore Tokens { get; init; }

    /// <summary>The chain the stores link audit events with, so a contract can run Core's <see cref="AuditVerifier"/>.</summary>
    public required AuditChain Chain { get; init; }

    /// <summary>What holds the database (a temp file, a cluster); disposed with the stores.</summary>
    public IAsyncDisposable? Owner { get; init; }

    public ValueTask DisposeAsync() => Owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}
