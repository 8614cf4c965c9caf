using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Renews a lease for the workload that holds it, with a fresh token whose claims go through the
/// block rules and the policy again; never past the lease's maximum, never a break-glass lease.
/// </summary>
public sealed class LeaseRenewer(
    ILeaseStore store,
    LeaseLookup lookup,
    IdentityBlockCheck blocks,
    IPolicySource policy,
    PolicyEvaluator evaluator,
    ProviderRegistry providers,
    CredentialSeal seal,
    LeaseDenials denials,
    IClock clock)
{
    public async Task<Result<IssuedLease>> RenewAsync(LeaseCaller caller, string id, Duration? ttl, CancellationToken ct)
    {
        if (caller.Workload is not { } who)
        {
            // An operator holds only break-glass leases, which nobody renews: their holder is told so.
            // Any other operator learns nothing about the lease, as when renewing took workloads only.
            return LeaseId.LooksValid(id) && await store.FindAsync(id, ct) is { } held && caller.HoldsBreakGlass(held)
                ? BreakGlassNotRenewable()
                : new BrokerError(ErrorCodes.InsufficientScope, "Only the workload that holds a lease can renew it, with a fresh token.", ErrorKind.Forbidden);
        }

        // Only the job that holds the lease renews it, never an operator: a fresh credential goes to no one else.
        var found = await lookup.FindManageableAsync(caller, id, caller.Holds, AuditActions.LeaseRenew, audit: true, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        var lease = found.Value;
        if (await blocks.BlockedAsync(who, caller.Audit, AuditActions.LeaseRenew, $"lease:{lease.Id}", ct) is { } blocked)
        {
            return blocked;
        }

        var now = clock.StoredNow();
        if (!lease.IsValidAt(now))
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease is no longer active.");
        }

        // A break-glass lease's forced expiry is the point of it: nobody extends it.
        if (lease.BreakGlass)
        {
            return BreakGlassNotRenewable();
        }

        if (!lease.Renewable)
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotRenewable, "The lease is not renewable.");
        }

        // Verification is continuous: the fresh token's claims go through the policy again.
        var decision = evaluator.Decide(policy.Current, who, new LeaseAsk(lease.Role, lease.Step, lease.Purpose, ttl));
        if (!decision.Allowed)
        {
            await denials.AuditAsync(caller.Audit, AuditActions.LeaseRenew, $"lease:{lease.Id}", $"policy_denied: {decision.Detail}", ct);
            return LeaseDenials.PolicyDenied();
        }

        if (providers.Find(lease.Provider) is not { } provider)
        {
            return new BrokerError(ErrorCodes.ProviderUnavailable, $"The lease's provider '{lease.Provider}' is not available.", ErrorKind.Unavailable);
        }

        var renewed = lease with { ExpiresAt = Instant.Min(now + decision.Ttl, lease.MaxExpiresAt) };
        var extended = await provider.RenewAsync(renewed, decision.Role!, ct);
        if (!extended.IsSuccess)
        {
            return new BrokerError(ErrorCodes.ProviderFailed, "The provider could not extend the credential.", ErrorKind.Upstream);
        }

        var fresh = extended.Value.Count > 0 ? extended.Value : null;
        var record = new AuditRecord(now, caller.Audit, AuditActions.LeaseRenew, $"lease:{lease.Id}", AuditDecision.Allowed, $"rule {decision.Rule}; expires {renewed.ExpiresAt}");
        if (!await store.RenewAsync(lease.Id, renewed.ExpiresAt, now, fresh is null ? null : seal.Seal(lease.Id, fresh), record, ct))
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease is no longer active.");
        }

        return new IssuedLease(renewed, fresh ?? new Dictionary<string, string>(), Replayed: false);
    }

    private static BrokerError BreakGlassNotRenewable() =>
        BrokerError.Conflict(ErrorCodes.BreakGlassNotRenewable, "A break-glass lease's expiry cannot be extended.");
}
