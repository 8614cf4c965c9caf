using NodaTime;

namespace SecretsBroker.Core.Policy;

/// <summary>What a workload asks the policy for: a role, for one step and purpose, optionally for a TTL.</summary>
public sealed record LeaseAsk(string Role, string Step, string Purpose, Duration? Ttl);
