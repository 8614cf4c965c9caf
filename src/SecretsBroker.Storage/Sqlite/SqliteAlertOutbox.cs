using Dapper;
using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Break-glass alerts waiting for delivery in SQLite; writes go through the group commit.</summary>
public sealed class SqliteAlertOutbox(SqliteDatabase db, SqliteGroupCommit writes) : IAlertOutbox
{
    private static class Sql
    {
        public const string AnyAlertDue = "SELECT EXISTS (SELECT 1 FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now)";

        // SQLite runs one write at a time, so two claims never take one alert.
        public const string ClaimDueAlerts = """
            UPDATE alert SET next_attempt_at = @ClaimUntil
            WHERE id IN (SELECT id FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now ORDER BY next_attempt_at LIMIT @Batch)
            RETURNING id
            """;
    }

    public async Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await AlertToDeliverReader.FindAsync(c, alertId, ct);
    }

    public Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(AlertOutboxSql.RecordAlertDelivery, new { Id = alertId, Webhook = webhook, Now = now }, tx, cancellationToken: ct)), ct);

    public Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(AlertOutboxSql.CompleteAlert, new { Id = alertId, Now = now }, tx, cancellationToken: ct)), ct);

    public Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            AlertOutboxSql.RetryAlertLater, new { Id = alertId, Failures = failures, NextAttemptAt = nextAttemptAt }, tx, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct)
    {
        // A poll finds nothing due almost always: a read answers that without a write and its fsync.
        await using (var read = await db.OpenReadAsync(ct))
        {
            if (!await read.ExecuteScalarAsync<bool>(new CommandDefinition(Sql.AnyAlertDue, new { Now = now }, cancellationToken: ct)))
            {
                return [];
            }
        }

        return await writes.RunAsync(async (c, tx) => (await c.QueryAsync<string>(new CommandDefinition(
            Sql.ClaimDueAlerts, new { Now = now, ClaimUntil = claimUntil, Batch = batch }, tx, cancellationToken: ct))).ToList(), ct);
    }

    public async Task<AlertBacklog> CountBacklogAsync(CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        return await BacklogReader.AlertsAsync(c, ct);
    }
}
