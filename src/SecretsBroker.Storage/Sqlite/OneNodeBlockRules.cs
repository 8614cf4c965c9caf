using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>The embedded store has one broker process (its data folder's lock): no rule changes anywhere else.</summary>
public sealed class OneNodeBlockRules : IBlockRuleFeed
{
    public bool ChangesElsewhere => false;

    public Task WaitForChangeAsync(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);
}
