using Npgsql;
using SecretsBroker.StoreContracts;

namespace SecretsBroker.IntegrationTests.Storage.Contracts;

/// <summary>The <see cref="AppendOnlyAuditStoreContract"/> against PostgreSQL, with the table owner's own tampering.</summary>
public sealed class PostgresAuditStoreContractTests : AppendOnlyAuditStoreContract
{
    private PostgresStores postgres = null!;

    protected override async Task<BrokerStores> OpenStoresAsync()
    {
        postgres = await PostgresStores.OpenAsync();
        return postgres.Stores;
    }

    protected override Task EditStoredEventAsync(long seq) =>
        postgres.ExecuteWithoutAuditTriggersAsync("UPDATE audit_event SET actor = 'token:forged' WHERE seq = @Seq", new { Seq = seq });

    protected override Task DeleteStoredEventsAsync(long fromSeq, long toSeq) =>
        postgres.ExecuteWithoutAuditTriggersAsync("DELETE FROM audit_event WHERE seq BETWEEN @From AND @To", new { From = fromSeq, To = toSeq });

    protected override Task MoveHeadBackAsync(long seq) =>
        postgres.ExecuteAsync("UPDATE audit_head SET seq = @Seq, mac = (SELECT mac FROM audit_event WHERE seq = @Seq)", new { Seq = seq });

    protected override Task<bool> TryUpdateStoredEventAsync(long seq) =>
        TryAsync("UPDATE audit_event SET actor = 'token:forged' WHERE seq = @Seq", seq);

    protected override Task<bool> TryDeleteStoredEventAsync(long seq) =>
        TryAsync("DELETE FROM audit_event WHERE seq = @Seq", seq);

    private async Task<bool> TryAsync(string sql, long seq)
    {
        try
        {
            await postgres.ExecuteAsync(sql, new { Seq = seq });
            return true;
        }
        catch (PostgresException e) when (e.MessageText.Contains("append-only", StringComparison.Ordinal))
        {
            return false;
        }
    }
}
