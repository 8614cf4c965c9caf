using SecretsBroker.Core.Audit;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// The audit contract of a backend that also promises the trail is append-only in the database itself
/// (SQLite's triggers, PostgreSQL's): an ordinary UPDATE or DELETE of an event is refused, whoever runs it.
/// The MAC chain is what catches anyone who gets past that promise.
/// </summary>
public abstract class AppendOnlyAuditStoreContract : AuditStoreContract
{
    /// <summary>Tries an ordinary change of stored event <paramref name="seq"/>'s actor; true when the backend let it through.</summary>
    protected abstract Task<bool> TryUpdateStoredEventAsync(long seq);

    /// <summary>Tries an ordinary removal of stored event <paramref name="seq"/>; true when the backend let it through.</summary>
    protected abstract Task<bool> TryDeleteStoredEventAsync(long seq);

    private async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Stores.Audit.AppendAsync(NewRecord("contract.append", $"contract:{i + 1}"), default);
        }
    }

    [Fact]
    public async Task An_ordinary_update_of_a_stored_event_is_refused_and_leaves_it_as_it_was()
    {
        await AppendAsync(4);
        var before = await TrailAsync();

        Assert.False(await TryUpdateStoredEventAsync(3));

        Assert.Equal(before, await TrailAsync());
        Assert.True((await new AuditVerifier(Stores.Audit, Stores.Chain).VerifyAsync(default)).Intact);
    }

    [Fact]
    public async Task An_ordinary_delete_of_a_stored_event_is_refused_and_leaves_it_in_place()
    {
        await AppendAsync(4);
        var before = await TrailAsync();

        Assert.False(await TryDeleteStoredEventAsync(3));

        Assert.Equal(before, await TrailAsync());
        Assert.True((await new AuditVerifier(Stores.Audit, Stores.Chain).VerifyAsync(default)).Intact);
    }
}
