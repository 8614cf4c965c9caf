using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Policy;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// Mints the credential of a lease already decided and commits the lease with its audit record:
/// written ahead as issuing when the provider creates something downstream, in one write otherwise.
/// </summary>
public sealed class LeaseMinter(
    ILeaseStore store, ProviderRegistry providers, CredentialSeal seal, LeaseReplay replay, LeaseWriter writer, LeaseDenials denials, IClock clock)
{
    /// <summary>Through the write-ahead path when the provider creates something downstream, else in one write.</summary>
    public async Task<Result<IssuedLease>> MintAsync(
        Lease lease, RoleDefinition role, ICredentialProvider provider, AuditRecord record, WorkloadIdentity? who, string? key, CancellationToken ct) =>
        provider.MintsDownstream
            ? await IssueWrittenAheadAsync(lease, role, provider, record, who, key, ct)
            : await IssueInOneWriteAsync(lease with { State = LeaseState.Active }, role, provider, record, who, key, ct);

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
        return await MintAsync(decided, role, provider, record, null, null, ct);
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

        return await store.InsertAsync(lease, seal.Seal(lease.Id, minted.Value), record, ct) switch
        {
            LeaseInsert.Inserted => new IssuedLease(lease, minted.Value, Replayed: false),
            LeaseInsert.RunCompleted => await RunCompletedAsync(record, ct),
            _ => await replay.ReplayRacedAsync(who, key, record.At, ct),
        };
    }

    /// <summary>A credential created downstream: the lease is committed as issuing first, so a crash leaves a row the reconciler revokes.</summary>
    private async Task<Result<IssuedLease>> IssueWrittenAheadAsync(
        Lease lease, RoleDefinition role, ICredentialProvider provider, AuditRecord record, WorkloadIdentity? who, string? key, CancellationToken ct)
    {
        // Stamped with this process, so that after a crash the next start of this node reclaims the row at once.
        switch (await store.InsertAsync(lease with { Writer = writer }, null, record, ct))
        {
            case LeaseInsert.RunCompleted:
                return await RunCompletedAsync(record, ct);
            case LeaseInsert.KeyTaken:
                return await replay.ReplayRacedAsync(who, key, record.At, ct);
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
        if (!await store.ActivateAsync(lease.Id, seal.Seal(lease.Id, minted.Value), ct))
        {
            return BrokerError.Conflict(ErrorCodes.LeaseNotActive, "The lease was revoked while it was being issued.");
        }

        return new IssuedLease(lease with { State = LeaseState.Active }, minted.Value, Replayed: false);
    }

    /// <summary>
    /// The run (or job) was reported finished after this step's token was issued: a late step of a
    /// finished run gets nothing, and nothing was minted downstream for it (a one-write credential exists
    /// only in this answer, which is dropped).
    /// </summary>
    private async Task<Result<IssuedLease>> RunCompletedAsync(AuditRecord record, CancellationToken ct)
    {
        await denials.AuditAsync(record.Context, AuditActions.LeaseIssue, record.Target, $"{ErrorCodes.RunCompleted}: the CI platform reported the run finished", ct);
        return BrokerError.Conflict(ErrorCodes.RunCompleted, "The CI platform reported this run (or job) finished; it gets no new leases.");
    }
}
