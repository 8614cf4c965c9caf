using System.Diagnostics;
using Dapper;
using Npgsql;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>A lease as the shared store holds it, read as an operator with psql would.</summary>
internal sealed record LeaseRow(string Id, string Provider, string Handle, string State, string? RevokeReason, string? WriterNode, string? IdempotencyKey)
{
    private const string Select = "SELECT id, provider, handle, state, revoke_reason AS RevokeReason, writer_node AS WriterNode, idempotency_key AS IdempotencyKey FROM lease";

    public static Task<IReadOnlyList<LeaseRow>> AllAsync(NodeCluster nodes) => nodes.QueryAsync<LeaseRow>(Select);

    public static async Task<IReadOnlyList<LeaseRow>> AllAsync(NpgsqlConnection store) => (await store.QueryAsync<LeaseRow>(Select)).ToList();

    /// <summary>
    /// The rows once <paramref name="settled"/> holds of them, or as they are when
    /// <paramref name="bound"/> has passed (the caller's assertions then say what is left).
    /// </summary>
    public static async Task<IReadOnlyList<LeaseRow>> WhenAsync(NodeCluster nodes, Func<IReadOnlyList<LeaseRow>, bool> settled, TimeSpan bound)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var rows = await AllAsync(nodes);
            if (settled(rows) || waited.Elapsed > bound)
            {
                return rows;
            }

            await Task.Delay(250);
        }
    }
}
