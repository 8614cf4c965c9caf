namespace SecretsBroker.Core.Compromise;

/// <summary>
/// How a node learns of block rules another node wrote. On a store one process owns, every change
/// goes through this node's <see cref="IdentityGate"/> and the feed never fires; on a store several
/// nodes share, a change anywhere wakes every node, and the committed rules, not the node's memory,
/// decide whether a lease just issued may stand.
/// </summary>
public interface IBlockRuleFeed
{
    /// <summary>True when other processes may change the rules in this store.</summary>
    bool ChangesElsewhere { get; }

    /// <summary>
    /// Completes when the rules may have changed elsewhere: a notification from another node, or the
    /// polling interval passed (a notification missed while the connection was down is caught up then).
    /// </summary>
    Task WaitForChangeAsync(CancellationToken ct);
}
