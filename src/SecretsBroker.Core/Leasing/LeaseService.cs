using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Issues, renews and revokes leases. Every decision, allowed or denied, is audited with the
/// binding and the deciding rule; callers are told a reason code, never the policy's internals.
/// </summary>
public sealed class LeaseService(
    ILeaseStore store,
    IAuditStore auditTrail,
    IPolicySource policy,
    PolicyEvaluator evaluator,
    ProviderRegistry providers,
    IDataProtectionProvider dataProtection,
    LeaseSettings settings,
    IClock clock,
    LeaseWriter writer,
    IdentityGate? identities = null)
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
            await AuditDenialAsync(audit, AuditActions.LeaseIssue, target, "run_mismatch: the token belongs to another run", ct);
            return new BrokerError(ErrorCodes.RunMismatch, "The run does not match the token's run.", ErrorKind.Forbidden);
        }

        if (await BlockedAsync(who, audit, AuditActions.LeaseIssue, target, ct) is { } blocked)
        {
            return blocked;
        }

        if (command.IdempotencyKey is { } key && await store.FindByIdempotencyKeyAsync(who.Issuer, who.Subject, key, ct) is { } keyed)
        {
            return await ReplayAsync(keyed, now, ct);
        }

        var decision = evaluator.Decide(policy.Current, who, new LeaseAsk(command.Role, command.Step, command.Purpose, command.Ttl));
        if (!decision.Allowed)
        {
            await AuditDenialAsync(audit, AuditActions.LeaseIssue, target, $"policy_denied: {decision.Detail}", ct);
            return PolicyDenied();
        }

        var role = decision.Role!;
        if (providers.Find(role.Provider) is not { } provider)
        {
            return new BrokerError(ErrorCodes.ProviderUnavailable, $"The role's provider '{role.Provider}' is not available.", ErrorKind.Unavailable);
        }

        var lease = NewLease(who, command, decision, provider, now);
        if (command.IdempotencyKey is null && await store.FindReusableAsync(lease, now - settings.ReuseWindow, ct) is { } recent)
        {
            return await ReplayAsync(recent, now, ct);
        }

        if (identities is not null)
        {
            // Written ahead of the lease, so a revocation by claim selector always finds its identity.
            await identities.SeenAsync(who, now, ct);
        }

        var record = new AuditRecord(now, audit, AuditActions.LeaseIssue, $"lease:{lease.Id} {target}", AuditDecision.Allowed, $"rule {decision.Rule}; ttl {(long)decision.Ttl.TotalSeconds}s");
        var issued = provider.MintsDownstream
            ? await IssueWrittenAheadAsync(lease, role, provider, record, who, command.IdempotencyKey, ct)
            : await IssueInOneWriteAsync(lease with { State = LeaseState.Active }, role, provider, record, who, command.IdempotencyKey, ct);
        return await RecheckBlockAsync(issued, who, audit, target);
    }

    /// <summary>403 identity_blocked, audited, when a block rule covers the caller; checked before any policy decision.</summary>
    private async Task<BrokerError?> BlockedAsync(WorkloadIdentity who, AuditContext audit, string action, string target, CancellationToken ct)
    {
        if (identities is null || await identities.BlockOfAsync(who, ct) is not { } rule)
        {
            return null;
        }

        await AuditDenialAsync(audit, action, target, $"identity_blocked: {rule.Target.RuleKey}", ct);

        // A blocked identity still trying is what the security team wants to see in "last seen".
        await identities.SeenAsync(who, clock.GetCurrentInstant(), ct);
        return new BrokerError(ErrorCodes.IdentityBlocked, "This workload identity is blocked.", ErrorKind.Forbidden);
    }

    /// <summary>
    /// A block that came into force while this lease was being issued: the revoking statement may
    /// have run before the lease committed, so the lease is revoked here and not handed out.
    /// </summary>
    /// <remarks>Runs to the end whether or not the caller is still there: a committed lease must not stay live.</remarks>
    private async Task<Result<IssuedLease>> RecheckBlockAsync(Result<IssuedLease> issued, WorkloadIdentity who, AuditContext audit, string target)
    {
        if (identities is null || await identities.BlockOfAsync(who, CancellationToken.None) is not { } rule)
        {
            return issued;
        }

        if (!issued.IsSuccess && issued.Error!.Code != ErrorCodes.LeaseNotActive)
        {
            return issued;
        }

        // Revoked while it was minted, by the block's statement: the block is the answer.
        if (!issued.IsSuccess)
        {
            return await BlockedAsync(who, audit, AuditActions.LeaseIssue, target, CancellationToken.None) ?? issued;
        }

        var now = clock.GetCurrentInstant();
        var id = issued.Value.Lease.Id;
        var record = new AuditRecord(now, audit, AuditActions.LeaseRevoke, $"lease:{id}", AuditDecision.Allowed, $"identity_blocked: {rule.Target.RuleKey}");
        await store.RevokeAsync(id, RevokeReasons.IdentityBlocked, now, record, CancellationToken.None);
        return await BlockedAsync(who, audit, AuditActions.LeaseIssue, target, CancellationToken.None) ?? issued;
    }

    /// <summary>
    /// Issues a lease whose decision was made elsewhere (break-glass): the provider's name and handle
    /// are filled in here, then the same write-ahead or one-write path as any other lease.
    /// </summary>
    internal async Task<Result<IssuedLease>> IssueDecidedAsync(Lease lease, RoleDefinition role, AuditRecord record, CancellationToken ct)
    {
        if (providers.Find(role.Provider) is not { } provider)
        {
            return new BrokerError(ErrorCodes.ProviderUnavailable, $"The role's provider '{role.Provider}' is not available.", ErrorKind.Unavailable);
        }

        var decided = lease with { Provider = provider.Name, Handle = provider.HandleFor(lease.Id) };
        return provider.MintsDownstream
            ? await IssueWrittenAheadAsync(decided, role, provider, record, null, null, ct)
            : await IssueInOneWriteAsync(decided with { State = LeaseState.Active }, role, provider, record, null, null, ct);
    }

    /// <summary>A credential that exists only in the answer: minted first, then committed once as active before the answer leaves.</summary>
    private async Task<Result<IssuedLease>> IssueInOneWriteAsync(
        Lease lease, RoleDefinition role, ICredentialProvider provider, AuditRecord record, WorkloadIdentity? who, string? key, CancellationToken ct)
    {
        var minted = await provider.MintAsync(lease, role, ct);
        if (!minted.IsSuccess)
        {
            return new BrokerError(ErrorCodes.ProviderFailed, "The provider could not mint the credential.", ErrorKind.Upstream);
        }

        return await store.InsertAsync(lease, Seal(lease.Id, minted.Value), record, ct)
            ? new IssuedLease(lease, minted.Value, Replayed: false)
            : await ReplayRacedAsync(who, key, record.At, ct);
    }

    /// <summary>A credential created downstream: the lease is committed as issuing first, so a crash leaves a row the reconciler revokes.</summary>
    private async Task<Result<IssuedLease>> IssueWrittenAheadAsync(
        Lease lease, RoleDefinition role, ICredentialProvider provider, AuditRecord record, WorkloadIdentity? who, string? key, CancellationToken ct)
    {
        // Stamped with this process, so that after a crash the next start of this node reclaims the row at once.
        if (!await store.InsertAsync(lease with { Writer = writer }, null, record, ct))
        {
            return await ReplayRacedAsync(who, key, record.At, ct);
        }

        var minted = await provider.MintAsync(lease, role, ct);
        if (!minted.IsSuccess)
        {
            var failure = new AuditRecord(clock.GetCurrentInstant(), record.Context, AuditActions.LeaseRevoke, $"lease:{lease.Id}", AuditDecision.Allowed, RevokeReasons.MintFailed);
            await store.RevokeAsync(lease.Id, RevokeReasons.MintFailed, failure.At, failure, CancellationToken.None);
            return new BrokerError(ErrorCodes.ProviderFailed, "The provider could not mint the credential.", ErrorKind.Upstream);
        }

        // Revoked while it was being minted (its run completed, its identity was revoked): the
        // credential is not handed out, and the revoker removes it downstream.
        if (!await store.ActivateAsync(lease.Id, Seal(lease.Id, minted.Value), ct))
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease was revoked while it was being issued.");
        }

        return new IssuedLease(lease with { State = LeaseState.Active }, minted.Value, Replayed: false);
    }

    /// <summary>Another request with the same idempotency key committed first: answer with its lease.</summary>
    private async Task<Result<IssuedLease>> ReplayRacedAsync(WorkloadIdentity? who, string? key, Instant now, CancellationToken ct)
    {
        var raced = key is null || who is null ? null : await store.FindByIdempotencyKeyAsync(who.Issuer, who.Subject, key, ct);
        return raced is null
            ? BrokerError.Conflict(ErrorCodes.RequestInProgress, "The idempotency key is in use.")
            : await ReplayAsync(raced, now, ct);
    }

    public async Task<Result<Lease>> GetAsync(LeaseCaller caller, string id, CancellationToken ct)
    {
        var found = await FindManageableAsync(caller, id, caller.MayRead, AuditActions.LeaseIssue, audit: false, ct);
        return found;
    }

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
        var found = await FindManageableAsync(caller, id, caller.Holds, AuditActions.LeaseRenew, audit: true, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        var lease = found.Value;
        if (await BlockedAsync(who, caller.Audit, AuditActions.LeaseRenew, $"lease:{lease.Id}", ct) is { } blocked)
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
            await AuditDenialAsync(caller.Audit, AuditActions.LeaseRenew, $"lease:{lease.Id}", $"policy_denied: {decision.Detail}", ct);
            return PolicyDenied();
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
        if (!await store.RenewAsync(lease.Id, renewed.ExpiresAt, now, fresh is null ? null : Seal(lease.Id, fresh), record, ct))
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease is no longer active.");
        }

        return new IssuedLease(renewed, fresh ?? new Dictionary<string, string>(), Replayed: false);
    }

    public async Task<Result<Lease>> RevokeAsync(LeaseCaller caller, string id, CancellationToken ct)
    {
        var found = await FindManageableAsync(caller, id, caller.MayRevoke, AuditActions.LeaseRevoke, audit: true, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        var now = clock.GetCurrentInstant();
        var record = new AuditRecord(now, caller.Audit, AuditActions.LeaseRevoke, $"lease:{id}", AuditDecision.Allowed, RevokeReasons.RevokedByCaller);
        await store.RevokeAsync(id, RevokeReasons.RevokedByCaller, now, record, ct);
        return (await store.FindAsync(id, ct))!;
    }

    /// <summary>Revokes every live lease of a run: one statement, whatever the count.</summary>
    public async Task<Result<int>> CompleteRunAsync(LeaseCaller caller, string issuer, string run, CancellationToken ct)
    {
        if (BindingValue.Check(run, "run") is { } badRun)
        {
            return badRun;
        }

        if (!caller.IsOperator && (caller.Workload is null || caller.Workload.Issuer != issuer || caller.Workload.RunId != run))
        {
            await AuditDenialAsync(caller.Audit, AuditActions.RunComplete, $"run:{run}", "run_mismatch: only the run's own token or an operator", ct);
            return new BrokerError(ErrorCodes.RunMismatch, "Only the run's own token or an operator can complete it.", ErrorKind.Forbidden);
        }

        var now = clock.GetCurrentInstant();
        var record = new AuditRecord(now, caller.Audit, AuditActions.RunComplete, $"run:{issuer}/{run}", AuditDecision.Allowed, RevokeReasons.RunCompleted);
        return await store.RevokeRunAsync(issuer, run, RevokeReasons.RunCompleted, now, record.WithLeaseCount, ct);
    }

    private async Task<Result<Lease>> FindManageableAsync(LeaseCaller caller, string id, Func<Lease, bool> allowed, string action, bool audit, CancellationToken ct)
    {
        if (!LeaseId.LooksValid(id) || await store.FindAsync(id, ct) is not { } lease)
        {
            return BrokerError.NotFound(ErrorCodes.LeaseNotFound, "No such lease.");
        }

        if (allowed(lease))
        {
            return lease;
        }

        if (audit)
        {
            await AuditDenialAsync(caller.Audit, action, $"lease:{id}", "not_lease_owner", ct);
        }

        // The same answer as for a missing lease: a workload learns nothing about others' leases.
        return BrokerError.NotFound(ErrorCodes.LeaseNotFound, "No such lease.");
    }

    /// <summary>The credential of a live lease, unsealed again (a break-glass requester collecting an approved lease).</summary>
    internal async Task<Result<IssuedLease>> CredentialOfAsync(string leaseId, CancellationToken ct) =>
        await store.FindAsync(leaseId, ct) is { } lease
            ? await ReplayAsync(lease, clock.GetCurrentInstant(), ct)
            : BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease is no longer active.");

    private async Task<Result<IssuedLease>> ReplayAsync(Lease lease, Instant now, CancellationToken ct)
    {
        if (lease.State == LeaseState.Issuing)
        {
            // The first request with this key is still minting: like other idempotency-key APIs,
            // answer 409 and let the client retry, rather than mint a second credential.
            return BrokerError.Conflict(ErrorCodes.RequestInProgress, "A request for this lease is still being processed; retry shortly.");
        }

        if (!lease.IsValidAt(now) || await store.ReadCredentialAsync(lease.Id, ct) is not { } sealedCredential)
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease this request repeats is no longer active.");
        }

        return new IssuedLease(lease, Unseal(lease.Id, sealedCredential), Replayed: true);
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
            Claims: who.ClaimSetJson);
    }

    /// <summary>How long the lease may live with every renewal: the role's cap, and the rule's when it has one.</summary>
    private Duration MaxLifetime(PolicyDecision decision)
    {
        var ruleCap = policy.Current.Rules.FirstOrDefault(r => r.Name == decision.Rule)?.MaxTtl;
        var cap = ruleCap is { } rule ? Duration.Min(rule, decision.Role!.MaxTtl) : decision.Role!.MaxTtl;
        return Duration.Max(cap, decision.Ttl);
    }

    private static BrokerError BreakGlassNotRenewable() =>
        BrokerError.Conflict(ErrorCodes.BreakGlassNotRenewable, "A break-glass lease's expiry cannot be extended.");

    private static BrokerError? CheckCommand(IssueLeaseCommand command) =>
        ResourceName.Check(command.Role, "role")
        ?? BindingValue.Check(command.Run, "run")
        ?? BindingValue.Check(command.Step, "step")
        ?? BindingValue.Check(command.Purpose, "purpose")
        ?? (command.IdempotencyKey is { } key ? BindingValue.Check(key, "idempotency key") : null)
        ?? (command.Ttl is { } ttl && ttl <= Duration.Zero ? BrokerError.Invalid(ErrorCodes.InvalidTtl, "The TTL must be positive.") : null);

    private Task AuditDenialAsync(AuditContext audit, string action, string target, string reason, CancellationToken ct) =>
        auditTrail.AppendAsync(new AuditRecord(clock.GetCurrentInstant(), audit, action, target, AuditDecision.Denied, reason), ct);

    private static BrokerError PolicyDenied() =>
        new(ErrorCodes.PolicyDenied, "The policy does not allow this lease.", ErrorKind.Forbidden);

    private string Seal(string leaseId, IReadOnlyDictionary<string, string> credential) =>
        Convert.ToBase64String(Protector(leaseId).Protect(JsonSerializer.SerializeToUtf8Bytes(credential)));

    private Dictionary<string, string> Unseal(string leaseId, string sealedCredential)
    {
        var plaintext = Protector(leaseId).Unprotect(Convert.FromBase64String(sealedCredential));
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plaintext)!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private IDataProtector Protector(string leaseId) =>
        dataProtection.CreateProtector(Purposes.LeaseCredential).CreateProtector(leaseId);
}
