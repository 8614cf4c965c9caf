namespace SecretsBroker.Core.BreakGlass;

/// <summary>What waits on people: requests still open for a second operator's approval, and issued ones nobody has reviewed.</summary>
public sealed record BreakGlassBacklog(long PendingApproval, long Unreviewed);
