using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>How much a break-glass request must say, how long it waits for a second operator, and when an unreviewed one is nagged about.</summary>
public sealed record BreakGlassSettings(int MinJustificationLength, Duration ApprovalWindow, Duration ReviewReminderAge)
{
    public static BreakGlassSettings Default { get; } = new(20, Duration.FromMinutes(15), Duration.FromHours(24));
}
