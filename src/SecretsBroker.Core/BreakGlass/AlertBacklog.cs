namespace SecretsBroker.Core.BreakGlass;

/// <summary>Alerts not yet delivered to every webhook, and of those the ones whose delivery has failed at least once.</summary>
public sealed record AlertBacklog(long Undelivered, long Failing);
