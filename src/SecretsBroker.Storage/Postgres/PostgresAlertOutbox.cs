using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>Break-glass alerts waiting for their webhooks in PostgreSQL.</summary>
public sealed class PostgresAlertOutbox(PostgresDatabase db) : IAlertOutbox
{
    public Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct) => throw new NotImplementedException();

    public Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct) => throw new NotImplementedException();

    public Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct) => throw new NotImplementedException();

    public Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct) => throw new NotImplementedException();
}
