using Dapper;
using NodaTime;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Break-glass alerts waiting for their webhooks in PostgreSQL, polled by every node. A claim moves
/// an alert's next attempt to the end of the claim, so only the node that claimed it delivers it.
/// </summary>
public sealed class PostgresAlertOutbox(PostgresDatabase db) : IAlertOutbox
{
    private static class Sql
    {
        // The rows are locked in the statement that moves them, skipping any another node's claim holds:
        // two nodes polling at once get disjoint alerts, and neither waits for the other. Skipped rows do
        // not count towards the batch, so a claim takes the next due alerts instead. MATERIALIZED keeps the
        // locking select a single scan the update joins to, whatever the planner makes of it.
        public const string ClaimDueAlerts = """
            WITH due AS MATERIALIZED (
                SELECT id FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now
                ORDER BY next_attempt_at LIMIT @Batch
                FOR UPDATE SKIP LOCKED)
            UPDATE alert SET next_attempt_at = @ClaimUntil
            FROM due WHERE alert.id = due.id
            RETURNING alert.id
            """;
    }

    public async Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await AlertToDeliverReader.FindAsync(c, alertId, ct);
    }

    public async Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(AlertOutboxSql.RecordAlertDelivery, new { Id = alertId, Webhook = webhook, Now = now }, cancellationToken: ct));
    }

    public async Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(AlertOutboxSql.CompleteAlert, new { Id = alertId, Now = now }, cancellationToken: ct));
    }

    public async Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            AlertOutboxSql.RetryAlertLater, new { Id = alertId, Failures = failures, NextAttemptAt = nextAttemptAt }, cancellationToken: ct));
    }

    /// <summary>
    /// One statement, no read first as on SQLite: a claim that matches nothing locks nothing and commits
    /// without writing, so an idle poll costs no more than the read would.
    /// </summary>
    public async Task<IReadOnlyList<string>> ClaimDueAlertsAsync(Instant now, Instant claimUntil, int batch, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var claimed = await c.QueryAsync<string>(new CommandDefinition(Sql.ClaimDueAlerts, new { Now = now, ClaimUntil = claimUntil, Batch = batch }, cancellationToken: ct));
        return claimed.ToList();
    }

    public async Task<AlertBacklog> CountBacklogAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await BacklogReader.AlertsAsync(c, ct);
    }
}
