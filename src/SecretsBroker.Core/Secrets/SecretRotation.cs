using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// Rotates a root secret so that a crash or failure at any step leaves the broker able to log in:
/// the new value is stored first as a pending version, then the target is changed, then the new
/// value is proven by logging in with it, and only then does it become current (erasing the old
/// value). <see cref="RecoverAsync"/> finishes or forgets what a crash left pending by trying both.
/// </summary>
public sealed class SecretRotation(ISecretStore store, SecretVault vault, IEnumerable<ISecretRotator> rotators, IClock clock)
{
    private readonly Dictionary<string, ISecretRotator> byType = rotators.ToDictionary(r => r.SecretType, StringComparer.Ordinal);

    public async Task<Result<RootSecret>> RotateAsync(string name, AuditContext who, CancellationToken ct)
    {
        if (ResourceName.Check(name, "secret name") is { } badName)
        {
            return badName;
        }

        if (await store.FindAsync(name, ct) is not { } secret || await store.ReadCiphertextAsync(name, ct) is not { } stored)
        {
            return BrokerError.NotFound(ErrorCodes.SecretNotFound, $"No secret named '{name}'.");
        }

        if (!byType.TryGetValue(secret.Type, out var rotator))
        {
            return BrokerError.Invalid(ErrorCodes.SecretNotRotatable, $"Secrets of type {secret.Type} cannot be rotated by the broker.");
        }

        await RecoverAsync(name, ct);
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
        var applied = await rotator.ApplyAsync(current, next, ct);
        if (!applied.IsSuccess)
        {
            await store.DropPendingAsync(name, version, Record(who, name, AuditDecision.Rejected, $"rotation failed at the target; version {version} dropped"), ct);
            return new BrokerError(ErrorCodes.RotationFailed, "The target refused the new credential; the current one is unchanged.", ErrorKind.Upstream);
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
    /// log in becomes current; one that cannot is dropped while the current one still can.
    /// Returns how many were settled.
    /// </summary>
    public async Task<int> RecoverAsync(string? only, CancellationToken ct)
    {
        var settled = 0;
        foreach (var pending in await store.PendingVersionsAsync(ct))
        {
            if ((only is not null && pending.Name != only) || !byType.TryGetValue(pending.Type, out var rotator))
            {
                continue;
            }

            var next = vault.Unseal(pending.Name, pending.Version, pending.Ciphertext);
            if (await rotator.CanLogInAsync(next, ct))
            {
                await store.PromoteAsync(pending.Name, pending.Version, clock.GetCurrentInstant(), Record(AuditContext.System, pending.Name, AuditDecision.Allowed, $"recovered rotation to version {pending.Version}"), ct);
                settled++;
            }
            else if ((await vault.RevealAsync(pending.Name, ct)) is { IsSuccess: true } current && await rotator.CanLogInAsync(current.Value, ct))
            {
                await store.DropPendingAsync(pending.Name, pending.Version, Record(AuditContext.System, pending.Name, AuditDecision.Allowed, $"rotation to version {pending.Version} never reached the target; dropped"), ct);
                settled++;
            }
        }

        return settled;
    }

    private AuditRecord Record(AuditContext who, string name, string decision, string reason) =>
        new(clock.GetCurrentInstant(), who, AuditActions.SecretRotate, $"secret:{name}", decision, reason);
}
