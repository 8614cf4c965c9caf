namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// Raises a break-glass alert for delivery (webhooks, by a job with retries). Takes ids only: the
/// deliverer reads the request again, so no secret ever sits in a queued job's arguments.
/// </summary>
public interface IBreakGlassAlerts
{
    Task RaiseAsync(string kind, string requestId, CancellationToken ct);
}

/// <summary>The kinds of break-glass alert: stable, because receivers route on them.</summary>
public static class BreakGlassAlertKinds
{
    public const string Issued = "break_glass.issued";
    public const string ReviewReminder = "break_glass.review_reminder";

    public static bool IsKnown(string kind) => kind is Issued or ReviewReminder;
}
