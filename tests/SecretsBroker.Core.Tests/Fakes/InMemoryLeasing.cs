using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>The leasing classes wired together as the server wires them, over the stores, policy, provider and block rules a test passes in.</summary>
internal sealed class InMemoryLeasing
{
    public InMemoryLeasing(
        ILeaseStore store, IAuditStore auditTrail, IPolicySource policy, ICredentialProvider provider, IdentityGate identities, LeaseWriter writer, IClock clock)
    {
        var providers = new ProviderRegistry([provider]);
        var evaluator = new PolicyEvaluator();
        var seal = new CredentialSeal(new EphemeralDataProtectionProvider());
        var denials = new LeaseDenials(auditTrail, clock);
        var blocks = new IdentityBlockCheck(identities, store, denials, clock);
        var replay = new LeaseReplay(store, seal, clock);
        var minter = new LeaseMinter(store, providers, seal, replay, writer, denials, clock);
        Issuer = new LeaseIssuer(
            store, policy, evaluator, providers, new LeaseSettings(Duration.FromSeconds(60), Duration.FromSeconds(60)), clock, identities, blocks, replay, minter, denials);
        Lookup = new LeaseLookup(store, denials);
        Renewer = new LeaseRenewer(store, Lookup, blocks, policy, evaluator, providers, seal, denials, clock);
        Revocations = new LeaseRevocations(store, Lookup, denials, clock);
    }

    public LeaseIssuer Issuer { get; }

    public LeaseLookup Lookup { get; }

    public LeaseRenewer Renewer { get; }

    public LeaseRevocations Revocations { get; }
}
