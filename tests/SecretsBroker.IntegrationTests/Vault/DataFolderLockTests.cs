using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Vault;

/// <summary>
/// One broker process per data folder: the reconciler trusts that another start of the folder's node
/// is a process that has ended, so a second broker on a folder in use must not start.
/// </summary>
public sealed class DataFolderLockTests
{
    [Fact]
    public async Task A_second_broker_on_a_data_folder_in_use_refuses_to_start_and_one_starts_once_the_first_has_stopped()
    {
        await using var first = await TestBroker.StartAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TestBroker.StartAsync(new TestBrokerOptions { DataDirectory = first.DataDirectory }));
        await first.StopAsync();
        await using var next = await TestBroker.StartAsync(new TestBrokerOptions { DataDirectory = first.DataDirectory });

        Assert.Contains("Another broker process is using the data folder", refused.Message, StringComparison.Ordinal);
        Assert.Contains(first.DataDirectory, refused.Message, StringComparison.Ordinal);
        Assert.False(next.IsSealed);
    }
}
