namespace SecretsBroker.Core.Audit;

/// <summary>
/// The newest event's place in the chain, kept apart from the events so that deleting the newest
/// events (which no later link would reveal) is caught too. <see cref="HeadMac"/> binds the two
/// under the audit key, so the head cannot be moved back to an earlier event either.
/// </summary>
public sealed record AuditHead(long Seq, string Mac, string HeadMac);
