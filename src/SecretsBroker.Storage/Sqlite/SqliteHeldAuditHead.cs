using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace SecretsBroker.Storage.Sqlite;

/// <summary>
/// The audit head (the newest event's seq and MAC) as the group-commit writer holds it once it has
/// read it, so the next event is linked without reading the head again for every event. The writer
/// tells it where each transaction begins, commits and rolls back: an append moves the head of the
/// transaction it runs in, a commit keeps that, a rollback (a batch about to be replayed) goes back to
/// the head last committed. The secret and token stores append events on connections of their own,
/// so what is held is trusted only while no other connection has committed since the writer's last
/// transaction: <c>PRAGMA data_version</c>, read once at the start of each transaction (which holds the
/// write lock, BEGIN IMMEDIATE), changes exactly when one has, and then the head is read afresh.
/// </summary>
internal sealed class SqliteHeldAuditHead : IDisposable
{
    private const string DataVersion = "PRAGMA data_version";

    private static readonly ConditionalWeakTable<SqliteConnection, SqliteHeldAuditHead> Attached = new();

    private readonly SqliteConnection connection;
    private SqliteTransaction? transaction;
    private long? dataVersion;
    private (long Seq, string Mac)? committed;
    private (long Seq, string Mac)? current;

    private SqliteHeldAuditHead(SqliteConnection connection) => this.connection = connection;

    /// <summary>Holds the head for appends on <paramref name="connection"/> until the result is disposed.</summary>
    public static SqliteHeldAuditHead AttachTo(SqliteConnection connection)
    {
        var head = new SqliteHeldAuditHead(connection);
        Attached.AddOrUpdate(connection, head);
        return head;
    }

    /// <summary>The head held for <paramref name="transaction"/>'s connection, or null on any other connection.</summary>
    public static SqliteHeldAuditHead? Of(SqliteTransaction transaction) =>
        transaction.Connection is { } c && Attached.TryGetValue(c, out var head) ? head : null;

    /// <summary>Right after the transaction began: drops what is held when another connection has committed since.</summary>
    public async Task BeginAsync(SqliteTransaction begun, CancellationToken ct)
    {
        using var read = SqlitePreparedStatements.For(begun, DataVersion, []);
        var version = Convert.ToInt64(await read.ScalarAsync(ct), CultureInfo.InvariantCulture);
        if (version != dataVersion)
        {
            committed = null;
        }

        dataVersion = version;
        transaction = begun;
        current = committed;
    }

    /// <summary>The head within <paramref name="within"/>, or null when it must be read from the table.</summary>
    public (long Seq, string Mac)? In(SqliteTransaction within) => ReferenceEquals(within, transaction) ? current : null;

    /// <summary>An event was appended in <paramref name="within"/>: it is the head of that transaction.</summary>
    public void Moved(SqliteTransaction within, long seq, string mac)
    {
        if (ReferenceEquals(within, transaction))
        {
            current = (seq, mac);
        }
    }

    public void Committed()
    {
        committed = current;
        transaction = null;
    }

    public void RolledBack()
    {
        current = committed;
        transaction = null;
    }

    public void Dispose() => Attached.Remove(connection);
}
