using NodaTime;

namespace SecretsBroker.Core.BreakGlass;

/// <summary>
/// How much a break-glass request must say, how long it waits for a second operator, when an unreviewed
/// one is nagged about, and whether only people may take part (<see cref="PeopleOnly"/>: set where
/// people sign in through an identity provider, since broker tokens not made by a person cannot tell
/// one person from two).
/// </summary>
public sealed record BreakGlassSettings(int MinJustificationLength, Duration ApprovalWindow, Duration ReviewReminderAge, bool PeopleOnly = false)
{
    public static BreakGlassSettings Default { get; } = new(20, Duration.FromMinutes(15), Duration.FromHours(24));
}
