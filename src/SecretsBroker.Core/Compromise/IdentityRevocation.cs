using NodaTime;

namespace SecretsBroker.Core.Compromise;

/// <summary>
/// One revocation of a workload identity, as the store records it: the operator's
/// <see cref="Reason"/>, the block rule when it blocks, and <see cref="LeaseReason"/>, the revoke reason
/// every lease it ends gets.
/// </summary>
public sealed record IdentityRevocation(string Id, IdentityTarget Target, string Reason, BlockRule? Block, string LeaseReason, Instant At);
