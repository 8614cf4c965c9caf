using System.Diagnostics;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Logging;

/// <summary>
/// The log scopes of the whole broker, with one more in front of them on every line: the node (once
/// the broker has unsealed and knows it) and, inside a request, its request id (the trace id of the
/// request's activity, as <see cref="RequestIds"/> sets it).
/// </summary>
internal sealed class BrokerScopeProvider(BrokerNode node) : IExternalScopeProvider
{
    public const string Node = "Node";
    public const string RequestId = "RequestId";
    public const string RequestPath = "RequestPath";

    private readonly LoggerExternalScopeProvider scopes = new();

    public void ForEachScope<TState>(Action<object?, TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        callback(new BrokerScope(node.NodeId, Activity.Current is { IdFormat: ActivityIdFormat.W3C } request ? request.TraceId.ToHexString() : null), state);
        scopes.ForEachScope(
            (scope, inner) =>
            {
                // ASP.NET Core's request scope names Kestrel's connection-based id RequestId too: only its path is kept, so a line has one RequestId.
                if (scope is IReadOnlyList<KeyValuePair<string, object?>> pairs && pairs.Any(p => p.Key == RequestId) && pairs.Any(p => p.Key == RequestPath))
                {
                    scope = new Pairs([.. pairs.Where(p => p.Key != RequestId)]);
                }

                callback(scope, inner);
            },
            state);
    }

    public IDisposable Push(object? state) => scopes.Push(state);

    /// <summary>Written as one object of the line's <c>Scopes</c>; a value not known yet is left out.</summary>
    private sealed class BrokerScope(string? node, string? requestId) : Pairs(
        [.. new[] { (Node, node), (RequestId, requestId) }.Where(i => i.Item2 is not null).Select(i => new KeyValuePair<string, object?>(i.Item1, i.Item2))]);

    /// <summary>A scope of named values, written as one object of the line's <c>Scopes</c>.</summary>
    private class Pairs(KeyValuePair<string, object?>[] items) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => items.Length;

        public KeyValuePair<string, object?> this[int index] => items[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)items).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", items.Select(i => $"{i.Key}:{i.Value}"));
    }
}
