using System.Security.Cryptography;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Compromise;

/// <summary>
/// The security team's answer to a stolen workload identity: every live lease of it dead at the
/// broker in one statement, optionally a block rule that refuses it from then on, and unblocking.
/// </summary>
public sealed class IdentityResponse(IIdentityStore store, IdentityGate gate, IAuditStore auditTrail, IClock clock) : IDisposable
{
    // One rule change at a time: a failed write reloads the rules from the store, which must not
    // drop another change's rule that is in force in memory but not yet committed.
    private readonly SemaphoreSlim changingRules = new(1, 1);

    /// <summary>The answer to a revocation: how many leases it ended and the id to follow its clean-up by.</summary>
    public sealed record Revocation(string Id, int Revoked, bool Blocked);

    public async Task<Result<Revocation>> RevokeAsync(Result<IdentityTarget> parsed, string? reason, bool block, AuditContext audit, CancellationToken ct)
    {
        if (!parsed.IsSuccess)
        {
            return parsed.Error!;
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 1000 || !Naming.SingleLine.IsSingleLine(reason))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidSelector, "A reason of 1 to 1000 characters on one line, without control characters, is required.");
        }

        var target = parsed.Value;
        if (block && target.Issuer == BreakGlass.BreakGlassService.Issuer)
        {
            return BrokerError.Invalid(
                ErrorCodes.InvalidSelector, "Operators are not blocked here: revoke their tokens or take them out of the provider's groups; revoke their leases without block.");
        }

        var now = clock.GetCurrentInstant();
        var id = "rev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var rule = block ? new BlockRule(target, reason, id, now) : null;
        var revocation = new IdentityRevocation(id, target, reason, rule, RevokeReasons.IdentityRevoked, now);
        var record = new AuditRecord(now, audit, AuditActions.IdentityRevoke, $"{target.Describe} revocation:{id}", AuditDecision.Allowed, $"{reason}{(block ? "; blocked" : "")}");
        if (rule is null)
        {
            return new Revocation(id, await store.RevokeAsync(revocation, record.WithLeaseCount, ct), false);
        }

        await changingRules.WaitAsync(ct);
        try
        {
            // In force in memory before the revoking statement runs: an issuance that passed the
            // check earlier either committed before the statement (and is revoked by it) or
            // re-checks after its commit and finds this rule.
            await gate.AddAsync(rule, CancellationToken.None);
            try
            {
                return new Revocation(id, await store.RevokeAsync(revocation, record.WithLeaseCount, CancellationToken.None), true);
            }
            catch
            {
                await gate.ReloadAsync(CancellationToken.None);
                throw;
            }
        }
        finally
        {
            changingRules.Release();
        }
    }

    public void Dispose() => changingRules.Dispose();

    public async Task<Result<IdentityTarget>> UnblockAsync(Result<IdentityTarget> parsed, AuditContext audit, CancellationToken ct)
    {
        if (!parsed.IsSuccess)
        {
            return parsed.Error!;
        }

        var target = parsed.Value;
        var record = new AuditRecord(clock.GetCurrentInstant(), audit, AuditActions.IdentityUnblock, target.Describe, AuditDecision.Allowed, "unblocked");
        bool removed;
        await changingRules.WaitAsync(ct);
        try
        {
            removed = await store.UnblockAsync(target, record, CancellationToken.None);
            if (removed)
            {
                await gate.RemoveAsync(target, CancellationToken.None);
            }
        }
        finally
        {
            changingRules.Release();
        }

        if (!removed)
        {
            await auditTrail.AppendAsync(record with { Decision = AuditDecision.Denied, Reason = "not_blocked" }, ct);
            return BrokerError.NotFound(ErrorCodes.BlockNotFound, "No block rule for that identity.");
        }

        return target;
    }

    public async Task<Result<RevocationProgress>> ProgressAsync(string id, CancellationToken ct) =>
        id.Length <= 64 && await store.ProgressAsync(id, ct) is { } progress
            ? progress
            : BrokerError.NotFound(ErrorCodes.RevocationNotFound, "No such revocation.");
}
