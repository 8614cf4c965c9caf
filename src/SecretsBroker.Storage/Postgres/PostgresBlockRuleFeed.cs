using Npgsql;
using SecretsBroker.Core.Compromise;

namespace SecretsBroker.Storage.Postgres;

/// <summary>
/// Wakes a node when another node changed the block rules: the identity store's block and unblock
/// send <c>pg_notify</c> on <see cref="Channel"/> in their transaction (delivered on commit), and this
/// node LISTENs on a connection of its own. A notification sent while that connection was down is
/// lost, so a wait also ends after <see cref="PollInterval"/>: a missed change reaches memory within
/// that bound, and the check after each issuance reads the committed rules anyway.
/// </summary>
public sealed class PostgresBlockRuleFeed(PostgresDatabase db) : IBlockRuleFeed, IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private NpgsqlConnection? listening;

    public bool ChangesElsewhere => true;

    /// <summary>The notification channel, one per store (schema).</summary>
    public string Channel => ChannelOf(db);

    public static string ChannelOf(PostgresDatabase db) => db.Schema + "_block_rules";

    public async Task WaitForChangeAsync(CancellationToken ct)
    {
        try
        {
            listening ??= await ListenAsync(ct);
            await listening.WaitAsync(PollInterval, ct);
        }
        catch (NpgsqlException)
        {
            // The database went away: listen again on the next wait, and count this as a change.
            await DropConnectionAsync();
            await Task.Delay(PollInterval, ct);
        }
    }

    public ValueTask DisposeAsync() => DropConnectionAsync();

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken ct)
    {
        var connection = await db.OpenAsync(ct);
        await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
        await listen.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private async ValueTask DropConnectionAsync()
    {
        if (listening is { } connection)
        {
            listening = null;
            await connection.DisposeAsync();
        }
    }
}
