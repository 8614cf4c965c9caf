using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>A store only this process changes (as the embedded one), or, with <c>shared: true</c>, one other nodes change too.</summary>
internal sealed class OneProcessBlockRules(bool shared = false) : IBlockRuleFeed
{
    public bool ChangesElsewhere => shared;

    public Task WaitForChangeAsync(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);
}
