namespace SecretsBroker.Core.Leasing;

/// <summary>A lease with its credential, as answered once to the workload that asked (and again on an idempotent retry).</summary>
public sealed record IssuedLease(Lease Lease, IReadOnlyDictionary<string, string> Credential, bool Replayed);
