using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// Rotates a root secret so that a crash or failure at any step leaves the broker able to log in:
/// the new value is stored first as a pending version, then the target is changed, then the new
/// value is proven by logging in with it, and only then does it become current (erasing the old
/// value). <see cref="RecoverAsync"/> finishes or forgets what a crash left pending, and never
/// forgets a pending value that may still become the target's.
/// </summary>
public sealed class SecretRotation(ISecretStore store, SecretVault vault, IEnumerable<ISecretRotator> rotators, IClock clock) : IDisposable
{
    private readonly Dictionary<string, ISecretRotator> byType = rotators.ToDictionary(r => r.SecretType, StringComparer.Ordinal);

    /// <summary>
    /// One rotation or recovery at a time in this process: a recovery that ran between a rotation's
    /// pending write and its change at the target would find the old value still working, drop the
    /// pending one, and then the change would land. Rotations are rare; one lock for all is enough.
    /// </summary>
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>The name of one attempt to move <paramref name="name"/> to <paramref name="version"/>, as the target's session carries it.</summary>
    public static string AttemptOf(string name, int version) => $"{name}/v{version}";

    public async Task<Result<RootSecret>> RotateAsync(string name, AuditContext who, CancellationToken ct)
    {
        if (ResourceName.Check(name, "secret name") is { } badName)
        {
            return badName;
        }

        await oneAtATime.WaitAsync(ct);
        try
        {
            return await RotateAloneAsync(name, who, ct);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>Rotates every secret whose rotation period has passed; returns how many were rotated.</summary>
    public async Task<int> RotateDueAsync(CancellationToken ct)
    {
        var rotated = 0;
        foreach (var name in await store.DueForRotationAsync(clock.GetCurrentInstant(), ct))
        {
            if ((await RotateAsync(name, AuditContext.System, ct)).IsSuccess)
            {
                rotated++;
            }
        }

        return rotated;
    }

    /// <summary>
    /// Finishes rotations left pending (by a crash, or a failed proof): a pending version that can
    /// log in becomes current; one that cannot is dropped only once nothing of its attempt is left
    /// running at the target and the current one still logs in. Returns how many were settled.
    /// </summary>
    public async Task<int> RecoverAsync(string? only, CancellationToken ct)
    {
        await oneAtATime.WaitAsync(ct);
        try
        {
            return await RecoverAloneAsync(only, ct);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    public void Dispose() => oneAtATime.Dispose();

    private async Task<Result<RootSecret>> RotateAloneAsync(string name, AuditContext who, CancellationToken ct)
    {
        if (await store.FindAsync(name, ct) is not { } secret || await store.ReadCiphertextAsync(name, ct) is not { } stored)
        {
            return BrokerError.NotFound(ErrorCodes.SecretNotFound, $"No secret named '{name}'.");
        }

        if (!byType.TryGetValue(secret.Type, out var rotator))
        {
            return BrokerError.Invalid(ErrorCodes.SecretNotRotatable, $"Secrets of type {secret.Type} cannot be rotated by the broker.");
        }

        await RecoverAloneAsync(name, ct);
        var current = vault.Unseal(name, stored.Version, stored.Ciphertext);
        var next = rotator.NextFields(current);
        var version = stored.Version + 1;
        var now = clock.GetCurrentInstant();
        var pending = new SealedSecretVersion(name, secret.Type, version, next.Keys.Order(StringComparer.Ordinal).ToList(), vault.Seal(name, version, next), now, who.Actor);

        // 1. The new value is durable before the target knows it: after a crash in step 2 or 3 the
        //    working credential is one of the two stored versions, and recovery finds which.
        if (!await store.AddPendingVersionAsync(pending, Record(who, name, AuditDecision.Allowed, $"rotation started; version {version} pending"), ct))
        {
            return BrokerError.Conflict(ErrorCodes.RotationFailed, "The secret changed while rotating; try again.");
        }

        // 2. The target changes its credential.
        switch (await rotator.ApplyAsync(AttemptOf(name, version), current, next, ct))
        {
            case TargetChange.NotMade:
                await store.DropPendingAsync(name, version, Record(who, name, AuditDecision.Rejected, $"rotation failed at the target; version {version} dropped"), ct);
                return new BrokerError(ErrorCodes.RotationFailed, "The target refused the new credential; the current one is unchanged.", ErrorKind.Upstream);
            case TargetChange.Unknown:
                // The change may still land: only recovery, once the attempt is provably over, may forget it.
                return new BrokerError(ErrorCodes.RotationFailed, "The target did not confirm the new credential; the rotation stays pending until recovery.", ErrorKind.Upstream);
        }

        // 3. Proven before it becomes current; if the proof fails, recovery decides later.
        if (!await rotator.CanLogInAsync(next, ct))
        {
            return new BrokerError(ErrorCodes.RotationFailed, "The new credential could not log in; the rotation stays pending until recovery.", ErrorKind.Upstream);
        }

        // 4. Current, and the old value is erased.
        await store.PromoteAsync(name, version, clock.GetCurrentInstant(), Record(who, name, AuditDecision.Allowed, $"rotated to version {version}"), ct);
        return (await store.FindAsync(name, ct))!;
    }

    private async Task<int> RecoverAloneAsync(string? only, CancellationToken ct)
    {
        var settled = 0;
        foreach (var pending in await store.PendingVersionsAsync(ct))
        {
            if ((only is not null && pending.Name != only) || !byType.TryGetValue(pending.Type, out var rotator))
            {
                continue;
            }

            if (await SettleAsync(rotator, pending, ct))
            {
                settled++;
            }
        }

        return settled;
    }

    /// <summary>
    /// A pending value that logs in is the target's: it becomes current. One that does not may still
    /// become the target's while its attempt's statement runs there (a crashed process's change,
    /// waiting on a lock, is finished by the server after the process died). So it is dropped only
    /// after that attempt is ended at the target, the pending value still fails and the current
    /// one works; otherwise it stays pending for the next recovery.
    /// </summary>
    private async Task<bool> SettleAsync(ISecretRotator rotator, PendingSecretVersion pending, CancellationToken ct)
    {
        var next = vault.Unseal(pending.Name, pending.Version, pending.Ciphertext);
        if (await rotator.CanLogInAsync(next, ct))
        {
            await PromoteRecoveredAsync(pending, ct);
            return true;
        }

        if ((await vault.RevealAsync(pending.Name, ct)) is not { IsSuccess: true } current
            || !await rotator.EndAttemptAsync(AttemptOf(pending.Name, pending.Version), current.Value, ct))
        {
            return false;
        }

        if (await rotator.CanLogInAsync(next, ct))
        {
            // The attempt's change landed while it was being ended.
            await PromoteRecoveredAsync(pending, ct);
            return true;
        }

        if (!await rotator.CanLogInAsync(current.Value, ct))
        {
            return false;
        }

        await store.DropPendingAsync(pending.Name, pending.Version, Record(AuditContext.System, pending.Name, AuditDecision.Allowed, $"rotation to version {pending.Version} never reached the target; dropped"), ct);
        return true;
    }

    private async Task PromoteRecoveredAsync(PendingSecretVersion pending, CancellationToken ct) =>
        await store.PromoteAsync(pending.Name, pending.Version, clock.GetCurrentInstant(), Record(AuditContext.System, pending.Name, AuditDecision.Allowed, $"recovered rotation to version {pending.Version}"), ct);

    private AuditRecord Record(AuditContext who, string name, string decision, string reason) =>
        new(clock.GetCurrentInstant(), who, AuditActions.SecretRotate, $"secret:{name}", decision, reason);
}
