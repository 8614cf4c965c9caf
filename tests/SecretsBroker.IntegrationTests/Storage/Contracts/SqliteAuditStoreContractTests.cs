using Microsoft.Data.Sqlite;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

public sealed class SqliteAuditStoreContractTests : AppendOnlyAuditStoreContract
{
    private SqliteStores sqlite = null!;

    protected override async Task<BrokerStores> OpenStoresAsync()
    {
        sqlite = await SqliteStores.OpenAsync();
        return sqlite.Stores;
    }

    protected override Task EditStoredEventAsync(long seq) =>
        sqlite.ExecuteWithoutAuditTriggersAsync("UPDATE audit_event SET actor = 'token:forged' WHERE seq = @Seq", new { Seq = seq });

    protected override Task DeleteStoredEventsAsync(long fromSeq, long toSeq) =>
        sqlite.ExecuteWithoutAuditTriggersAsync("DELETE FROM audit_event WHERE seq BETWEEN @From AND @To", new { From = fromSeq, To = toSeq });

    protected override Task MoveHeadBackAsync(long seq) =>
        sqlite.ExecuteAsync("UPDATE audit_head SET seq = @Seq, mac = (SELECT mac FROM audit_event WHERE seq = @Seq)", new { Seq = seq });

    protected override Task<bool> TryUpdateStoredEventAsync(long seq) =>
        TryAsync("UPDATE audit_event SET actor = 'token:forged' WHERE seq = @Seq", seq);

    protected override Task<bool> TryDeleteStoredEventAsync(long seq) =>
        TryAsync("DELETE FROM audit_event WHERE seq = @Seq", seq);

    private async Task<bool> TryAsync(string sql, long seq)
    {
        try
        {
            await sqlite.ExecuteAsync(sql, new { Seq = seq });
            return true;
        }
        catch (SqliteException e) when (e.Message.Contains("append-only", StringComparison.Ordinal))
        {
            return false;
        }
    }
}
