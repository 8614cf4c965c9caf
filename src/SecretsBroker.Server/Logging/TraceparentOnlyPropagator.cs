using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SecretsBroker.Server.Logging;

/// <summary>
/// Takes a caller's trace context from a well-formed W3C <c>traceparent</c> alone. The default
/// propagator also reads the legacy <c>Request-Id</c> and <c>baggage</c> headers and hands a malformed
/// value on as a parent id; here a header that does not parse is as if it was not sent, so a hostile
/// value never becomes part of the request id or a log line.
/// </summary>
internal sealed partial class TraceparentOnlyPropagator : DistributedContextPropagator
{
    public const string TraceParent = "traceparent";

    private static readonly DistributedContextPropagator Outgoing = CreateW3CPropagator();

    public override IReadOnlyCollection<string> Fields { get; } = [TraceParent];

    /// <summary>Whether <paramref name="value"/> is a version-00 traceparent with a non-zero trace id and parent id.</summary>
    public static bool IsValid(string? value) =>
        value is { Length: 55 } && Shape().IsMatch(value) && value.AsSpan(3, 32).ContainsAnyExcept('0') && value.AsSpan(36, 16).ContainsAnyExcept('0');

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) =>
        Outgoing.Inject(activity, carrier, setter);

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
        if (getter is null)
        {
            return;
        }

        getter(carrier, TraceParent, out var value, out var values);
        if (values is null && IsValid(value))
        {
            traceId = value;
        }
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;

    [GeneratedRegex(@"\A00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}\z")]
    private static partial Regex Shape();
}
