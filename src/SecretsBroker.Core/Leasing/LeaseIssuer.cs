using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Issues a workload's lease for one step: the binding checked, the block rules and the policy asked,
/// a repeated request answered with the lease it already got, and every decision audited with the
/// binding and the deciding rule. Callers are told a reason code, never the policy's internals.
/// </summary>
public sealed class LeaseIssuer(
    ILeaseStore store,
    IPolicySource policy,
    PolicyEvaluator evaluator,
    ProviderRegistry providers,
    LeaseSettings settings,
    IClock clock,
    IdentityGate identities,
    IdentityBlockCheck blocks,
    LeaseReplay replay,
    LeaseMinter minter,
    LeaseDenials denials)
{
    public async Task<Result<IssuedLease>> IssueAsync(WorkloadIdentity who, IssueLeaseCommand command, AuditContext audit, CancellationToken ct)
    {
        if (CheckCommand(command) is { } invalid)
        {
            return invalid;
        }

        var now = clock.StoredNow();
        var target = $"run:{command.Run}/step:{command.Step}/purpose:{command.Purpose}/role:{command.Role}";
        if (command.Run != who.RunId)
        {
            await denials.AuditAsync(audit, AuditActions.LeaseIssue, target, "run_mismatch: the token belongs to another run", ct);
            return new BrokerError(ErrorCodes.RunMismatch, "The run does not match the token's run.", ErrorKind.Forbidden);
        }

        if (await blocks.BlockedAsync(who, audit, AuditActions.LeaseIssue, target, ct) is { } blocked)
        {
            return blocked;
        }

        if (command.IdempotencyKey is { } key && await store.FindByIdempotencyKeyAsync(who.Issuer, who.Subject, key, ct) is { } keyed)
        {
            return await replay.ReplayAsync(keyed, now, ct);
        }

        var decision = evaluator.Decide(policy.Current, who, new LeaseAsk(command.Role, command.Step, command.Purpose, command.Ttl));
        if (!decision.Allowed)
        {
            await denials.AuditAsync(audit, AuditActions.LeaseIssue, target, $"policy_denied: {decision.Detail}", ct);
            return LeaseDenials.PolicyDenied();
        }

        var role = decision.Role!;
        if (providers.Find(role.Provider) is not { } provider)
        {
            return new BrokerError(ErrorCodes.ProviderUnavailable, $"The role's provider '{role.Provider}' is not available.", ErrorKind.Unavailable);
        }

        var lease = NewLease(who, command, decision, provider, now);
        if (command.IdempotencyKey is null && await store.FindReusableAsync(lease, now - settings.ReuseWindow, ct) is { } recent)
        {
            return await replay.ReplayAsync(recent, now, ct);
        }

        // The identity's record goes in the lease's own transaction (at most once a minute per identity),
        // so whenever the lease is committed its identity is on record too.
        var sighting = identities.SightingDue(who, now);
        var record = new AuditRecord(now, audit, AuditActions.LeaseIssue, $"lease:{lease.Id} {target}", AuditDecision.Allowed, $"rule {decision.Rule}; ttl {(long)decision.Ttl.TotalSeconds}s");
        var issued = await minter.MintAsync(lease with { MarksIdentitySeen = sighting }, role, provider, record, who, command.IdempotencyKey, ct);
        if (sighting && issued.IsSuccess && !issued.Value.Replayed)
        {
            identities.Sighted(who, now);
        }

        return await blocks.RecheckAsync(issued, who, audit, target);
    }

    private Lease NewLease(WorkloadIdentity who, IssueLeaseCommand command, PolicyDecision decision, ICredentialProvider provider, Instant now)
    {
        var id = LeaseId.New(now);
        var role = decision.Role!;
        return new Lease(
            id,
            role.Name,
            provider.Name,
            role.Secret,
            provider.HandleFor(id),
            who.Issuer,
            who.Subject,
            who.RunId,
            who.JobId,
            command.Step,
            command.Purpose,
            decision.Rule!,
            LeaseState.Issuing,
            now,
            now + decision.Ttl,
            now + MaxLifetime(decision),
            role.Renewable,
            command.IdempotencyKey,
            null,
            null,
            Claims: who.ClaimSetJson,
            Project: who.Project,
            // A token without iat is older than any completion of its run.
            TokenIssuedAt: who.TokenIssuedAt ?? NodaConstants.UnixEpoch);
    }

    /// <summary>How long the lease may live with every renewal: the role's cap, and the rule's when it has one.</summary>
    private Duration MaxLifetime(PolicyDecision decision)
    {
        var ruleCap = policy.Current.Rules.FirstOrDefault(r => r.Name == decision.Rule)?.MaxTtl;
        var cap = ruleCap is { } rule ? Duration.Min(rule, decision.Role!.MaxTtl) : decision.Role!.MaxTtl;
        return Duration.Max(cap, decision.Ttl);
    }

    private static BrokerError? CheckCommand(IssueLeaseCommand command) =>
        ResourceName.Check(command.Role, "role")
        ?? BindingValue.Check(command.Run, "run")
        ?? BindingValue.Check(command.Step, "step")
        ?? BindingValue.Check(command.Purpose, "purpose")
        ?? (command.IdempotencyKey is { } key ? BindingValue.Check(key, "idempotency key") : null)
        ?? (command.Ttl is { } ttl && ttl <= Duration.Zero ? BrokerError.Invalid(ErrorCodes.InvalidTtl, "The TTL must be positive.") : null);
}
