namespace SecretsBroker.Storage.Shared;

/// <summary>The audit trail's reads, which SQLite and PostgreSQL run unchanged.</summary>
internal static class AuditSql
{
    public const string Page = """
        SELECT seq, id, at, actor, action, target, decision, reason, request_id, remote_address, user_agent, previous_mac, mac
        FROM audit_event WHERE seq > @AfterSeq ORDER BY seq LIMIT @Limit
        """;

    public const string ReadHead = "SELECT seq, mac, head_mac FROM audit_head WHERE id = 1";
}
