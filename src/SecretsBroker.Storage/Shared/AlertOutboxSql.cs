namespace SecretsBroker.Storage.Shared;

/// <summary>The alert outbox's statements that SQLite and PostgreSQL run unchanged; claiming differs and stays with each store.</summary>
internal static class AlertOutboxSql
{
    public const string FindAlert = """
        SELECT id, kind, request_id, raised_at, failures, next_attempt_at FROM alert WHERE id = @Id AND delivered_at IS NULL
        """;

    public const string AlertDeliveredTo = "SELECT webhook FROM alert_delivery WHERE alert_id = @Id";

    // The primary key (alert_id, webhook) settles a delivery recorded twice, even by two nodes at once.
    public const string RecordAlertDelivery = """
        INSERT INTO alert_delivery (alert_id, webhook, delivered_at) VALUES (@Id, @Webhook, @Now) ON CONFLICT DO NOTHING
        """;

    public const string CompleteAlert = "UPDATE alert SET delivered_at = @Now WHERE id = @Id AND delivered_at IS NULL";

    // Both read through the partial index of undelivered alerts, which holds only the few in flight.
    public const string CountBacklog = """
        SELECT (SELECT COUNT(*) FROM alert WHERE delivered_at IS NULL),
               (SELECT COUNT(*) FROM alert WHERE delivered_at IS NULL AND failures > 0)
        """;

    public const string RetryAlertLater = """
        UPDATE alert SET failures = @Failures, next_attempt_at = @NextAttemptAt WHERE id = @Id AND delivered_at IS NULL
        """;
}
