namespace SecretsBroker.Core.BreakGlass;

/// <summary>The configured receivers of break-glass alerts, and one signed post to one of them.</summary>
public interface IAlertWebhooks
{
    /// <summary>The webhooks configured now; an alert is delivered once each of them has it.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Posts the event to <paramref name="webhook"/>; false when it did not take it (unreachable, an error status, no key).</summary>
    Task<bool> PostAsync(string webhook, BreakGlassAlert alert, BreakGlassRequest request, CancellationToken ct);
}
