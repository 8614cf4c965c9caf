using SecretsBroker.Core.Compromise;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Identities;

/// <summary>
/// On a store several nodes share, reloads this node's block rules whenever the store says another
/// node may have changed them, so a block made anywhere refuses issuance here before the first lease
/// is minted (the check after each issuance, which reads the committed rules, is the guarantee; this
/// keeps the cheap check in front of it current). Idle on the embedded store and while sealed.
/// </summary>
internal sealed partial class BlockRuleRefresher(IBlockRuleFeed feed, IdentityGate gate, BrokerSeal seal, ILogger<BlockRuleRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!feed.ChangesElsewhere || seal.IsSealed)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await feed.WaitForChangeAsync(stoppingToken);
                await gate.ReloadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // An unreachable store must not end the refresher; the next wait tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ReloadFailed(logger, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "Block rules could not be reloaded from the shared store ({Error}); retrying")]
    private static partial void ReloadFailed(ILogger logger, string error);
}
