namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// Starts the delivery of a stored alert now (a background job). Takes the alert's id only: the
/// delivery reads the alert and its request again, so no secret ever sits in a queued job's arguments.
/// </summary>
public interface IBreakGlassAlerts
{
    Task DeliverSoonAsync(string alertId, CancellationToken ct);
}

/// <summary>The kinds of break-glass alert: stable, because receivers route on them.</summary>
public static class BreakGlassAlertKinds
{
    public const string Issued = "break_glass.issued";
    public const string ReviewReminder = "break_glass.review_reminder";
}
