using Dapper;
using Npgsql;
using SecretsBroker.Core.Audit;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="IdentityStoreContract"/> against PostgreSQL, a new store opened with the broker's least-privileged login.</summary>
public sealed class PostgresIdentityStoreContractTests : IdentityStoreContract
{
    /// <summary>What the other nodes' <see cref="PostgresBlockRuleFeed"/> listens for: a notification on the store's channel when a rule changes, and none otherwise.</summary>
    [Fact]
    public async Task A_block_and_an_unblock_notify_the_store_channel_and_a_revocation_without_a_block_does_not()
    {
        var store = (PostgresStores)Stores.Owner!;
        var channel = PostgresBlockRuleFeed.ChannelOf(store.Database);
        await using var listener = new NpgsqlConnection(store.Login.UnpooledConnectionString);
        await listener.OpenAsync();
        var heard = new List<string>();
        listener.Notification += (_, e) => heard.Add(e.Channel);
        await listener.ExecuteAsync($"LISTEN {channel}");
        var target = SubjectTarget(ContractFakers.Subject());

        await RevokeAsync(Revocation(target));
        var afterRevoke = await listener.WaitAsync(TimeSpan.FromSeconds(1));
        await RevokeAsync(Revocation(target, block: true));
        var afterBlock = await listener.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await Stores.Identities.UnblockAsync(target, NewRecord(AuditActions.IdentityUnblock, target.Describe), default));
        var afterUnblock = await listener.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((false, true, true), (afterRevoke, afterBlock, afterUnblock));
        Assert.Equal([channel, channel], heard);
    }

    protected override async Task<BrokerStores> OpenStoresAsync() => (await PostgresStores.OpenAsync()).Stores;
}
