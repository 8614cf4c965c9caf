using System.ComponentModel.DataAnnotations;

namespace SecretsBroker.Server.BreakGlass;

/// <summary>The <c>BreakGlass</c> settings: how much a justification must say, the approval window, and when an unreviewed lease is nagged about.</summary>
public sealed class BreakGlassOptions
{
    public const string Section = "BreakGlass";

    [Range(1, 1000)]
    public int MinJustificationLength { get; set; } = 20;

    /// <summary>A request that needs a second operator expires when nobody approves it within this many seconds.</summary>
    [Range(30, 86_400)]
    public int ApprovalWindowSeconds { get; set; } = 900;

    /// <summary>An issued break-glass lease still unreviewed after this many seconds raises a reminder alert.</summary>
    [Range(60, 30 * 86_400)]
    public int ReviewReminderAfterSeconds { get; set; } = 86_400;
}
