using Dapper;
using NodaTime;
using SecretsBroker.Core.BreakGlass;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>Break-glass alerts waiting for delivery in SQLite; writes go through the group commit.</summary>
public sealed class SqliteAlertOutbox(SqliteDatabase db, SqliteGroupCommit writes) : IAlertOutbox
{
    private static class Sql
    {
        public const string FindAlert = """
            SELECT id, kind, request_id, raised_at, failures, next_attempt_at FROM alert WHERE id = @Id AND delivered_at IS NULL
            """;

        public const string AlertDeliveredTo = "SELECT webhook FROM alert_delivery WHERE alert_id = @Id";

        public const string RecordAlertDelivery = """
            INSERT INTO alert_delivery (alert_id, webhook, delivered_at) VALUES (@Id, @Webhook, @Now) ON CONFLICT DO NOTHING
            """;

        public const string CompleteAlert = "UPDATE alert SET delivered_at = @Now WHERE id = @Id AND delivered_at IS NULL";

        public const string RetryAlertLater = """
            UPDATE alert SET failures = @Failures, next_attempt_at = @NextAttemptAt WHERE id = @Id AND delivered_at IS NULL
            """;

        public const string AnyAlertDue = "SELECT EXISTS (SELECT 1 FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now)";

        public const string ClaimDueAlerts = """
            UPDATE alert SET next_attempt_at = @ClaimUntil
            WHERE id IN (SELECT id FROM alert WHERE delivered_at IS NULL AND next_attempt_at <= @Now ORDER BY next_attempt_at LIMIT @Batch)
            RETURNING id
            """;
    }

    public async Task<AlertToDeliver?> FindAlertAsync(string alertId, CancellationToken ct)
    {
        await using var c = await db.OpenReadAsync(ct);
        var alert = await c.QuerySingleOrDefaultAsync<AlertRow>(new CommandDefinition(Sql.FindAlert, new { Id = alertId }, cancellationToken: ct));
        if (alert is null)
        {
            return null;
        }

        var request = await c.QuerySingleAsync<BreakGlassRequestRow>(new CommandDefinition(BreakGlassSql.FindRequest, new { Id = alert.RequestId }, cancellationToken: ct));
        var deliveredTo = await c.QueryAsync<string>(new CommandDefinition(Sql.AlertDeliveredTo, new { Id = alertId }, cancellationToken: ct));
        return new AlertToDeliver(alert.ToAlert(), request.ToRequest(), deliveredTo.ToHashSet(StringComparer.Ordinal));
    }

    public Task RecordAlertDeliveryAsync(string alertId, string webhook, Instant now, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(Sql.RecordAlertDelivery, new { Id = alertId, Webhook = webhook, Now = now }, tx, cancellationToken: ct)), ct);

    public Task CompleteAlertAsync(string alertId, Instant now, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(Sql.CompleteAlert, new { Id = alertId, Now = now }, tx, cancellationToken: ct)), ct);

    public Task RetryAlertLaterAsync(string alertId, int failures, Instant nextAttemptAt, CancellationToken ct) =>
        writes.RunAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            Sql.RetryAlertLater, new { Id = alertId, Failures = failures, NextAttemptAt = nextAttemptAt }, tx, cancellationToken: ct)), ct);

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

    private sealed class AlertRow
    {
        public string Id { get; init; } = "";

        public string Kind { get; init; } = "";

        public string RequestId { get; init; } = "";

        public Instant RaisedAt { get; init; }

        public int Failures { get; init; }

        public Instant NextAttemptAt { get; init; }

        public BreakGlassAlert ToAlert() => new(Id, Kind, RequestId, RaisedAt, Failures, NextAttemptAt);
    }
}
