using NodaTime;

namespace SecretsBroker.Core.Leasing;

/// <summary>A workload's request for a lease: the role, the binding it declares, an optional TTL and idempotency key.</summary>
public sealed record IssueLeaseCommand(string Role, string Run, string Step, string Purpose, Duration? Ttl, string? IdempotencyKey);
