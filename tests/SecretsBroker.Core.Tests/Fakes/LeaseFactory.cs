using NodaTime;
using SecretsBroker.Core.Leasing;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>Leases for tests: fixed binding, the state and times the test is about.</summary>
internal static class LeaseFactory
{
    public static Lease Make(Instant issuedAt, Duration ttl, string state = LeaseState.Active, string provider = "fake", string run = "42") => new(
        LeaseId.New(issuedAt), "deploy-api", provider, "signing-key", "handle", "github", "repo:acme/app", run, "7", "deploy", "smoke", "rule-1", state,
        issuedAt, issuedAt + ttl, issuedAt + ttl + ttl, true, null, null, null);
}
