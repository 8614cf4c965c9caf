using Dapper;
using Microsoft.Data.Sqlite;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Http;

/// <summary>
/// Every row a request could write — secrets, their versions, tokens — read straight from the
/// database file, and where the audit trail ended, to prove a rejected request wrote nothing else.
/// </summary>
internal sealed class VaultState
{
    private VaultState(IReadOnlyList<string> secrets, IReadOnlyList<string> versions, IReadOnlyList<string> tokens, long lastAuditSeq)
    {
        Secrets = secrets;
        Versions = versions;
        Tokens = tokens;
        LastAuditSeq = lastAuditSeq;
    }

    public IReadOnlyList<string> Secrets { get; }

    public IReadOnlyList<string> Versions { get; }

    public IReadOnlyList<string> Tokens { get; }

    public long LastAuditSeq { get; }

    public static async Task<VaultState> ReadAsync(TestBroker broker)
    {
        await using var db = broker.OpenRawDatabase();
        return new VaultState(
            await RowsAsync(db, "SELECT * FROM root_secret ORDER BY name"),
            await RowsAsync(db, "SELECT * FROM root_secret_version ORDER BY name, version"),
            await RowsAsync(db, "SELECT * FROM operator_token ORDER BY id"),
            await db.ExecuteScalarAsync<long>("SELECT coalesce(max(seq), 0) FROM audit_event"));
    }

    /// <summary>The audit events appended since this state was read, oldest first.</summary>
    public async Task<IReadOnlyList<AuditRow>> AuditSinceAsync(TestBroker broker)
    {
        await using var db = broker.OpenRawDatabase();
        var rows = await db.QueryAsync<AuditRow>(
            "SELECT seq, actor, action, target, decision, reason FROM audit_event WHERE seq > @Seq ORDER BY seq", new { Seq = LastAuditSeq });
        return rows.ToList();
    }

    /// <summary>Secrets, versions and tokens are row for row what they were; the only new audit event is the rejection.</summary>
    public async Task ShouldBeUnchangedButForRejectionAsync(TestBroker broker, string code)
    {
        var now = await ReadAsync(broker);
        Assert.Equal(Secrets, now.Secrets);
        Assert.Equal(Versions, now.Versions);
        Assert.Equal(Tokens, now.Tokens);
        var added = Assert.Single(await AuditSinceAsync(broker));
        Assert.Equal("rejected", added.Decision);
        Assert.Equal(code, added.Reason);
    }

    private static async Task<IReadOnlyList<string>> RowsAsync(SqliteConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetValue(i)}")));
        }

        return rows;
    }
}

/// <summary>One audit event as stored.</summary>
internal sealed record AuditRow(long Seq, string Actor, string Action, string Target, string Decision, string? Reason);
