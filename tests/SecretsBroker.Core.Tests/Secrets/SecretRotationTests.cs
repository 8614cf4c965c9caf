using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Secrets;

/// <summary>Whatever step of a rotation fails or crashes, the broker still holds a password the target accepts.</summary>
public sealed class SecretRotationTests
{
    private static readonly AuditContext Admin = new("token:t1:admin", "req", "127.0.0.1", null);
    private readonly FakeClock clock = new(Instant.FromUtc(2026, 11, 23, 9, 0));
    private readonly InMemorySecretStore store = new();
    private readonly FakeTargetRotator target = new("first-password");
    private readonly SecretVault vault;
    private readonly SecretRotation rotation;

    public SecretRotationTests()
    {
        vault = new SecretVault(store, new EphemeralDataProtectionProvider(), clock, rotators: [target], targetChecks: []);
        rotation = new SecretRotation(store, vault, [target], clock);
    }

    private async Task<string> StoredPasswordAsync() => (await vault.RevealAsync("db-admin", default)).Value["password"];

    private async Task PutAsync() => await vault.PutAsync("db-admin", "generic", new Dictionary<string, string> { ["password"] = "first-password" }, Admin, default);

    [Fact]
    public async Task A_rotation_changes_the_target_makes_the_new_version_current_and_erases_the_old_value()
    {
        await PutAsync();

        var rotated = await rotation.RotateAsync("db-admin", Admin, default);

        Assert.Equal(2, rotated.Value.Version);
        Assert.Equal(target.Password, await StoredPasswordAsync());
        Assert.NotEqual("first-password", target.Password);
        Assert.Equal("", store.Versions["db-admin"].Single(v => v.Version == 1).Ciphertext);
        Assert.Contains(store.Audit, a => a.Action == AuditActions.SecretRotate && a.Reason == "rotated to version 2");
    }

    [Fact]
    public async Task When_the_target_refuses_the_change_the_current_password_stays_and_nothing_is_pending()
    {
        await PutAsync();
        target.RefuseChange = true;

        var rotated = await rotation.RotateAsync("db-admin", Admin, default);

        Assert.Equal(ErrorCodes.RotationFailed, rotated.Error?.Code);
        Assert.Equal("first-password", await StoredPasswordAsync());
        Assert.Empty(await store.PendingVersionsAsync(default));
    }

    [Fact]
    public async Task A_crash_after_the_target_changed_is_finished_by_recovery_with_the_new_password()
    {
        await PutAsync();
        target.CrashAfterChange = true;

        await Assert.ThrowsAsync<OperationCanceledException>(() => rotation.RotateAsync("db-admin", Admin, default));
        var storedAfterCrash = await StoredPasswordAsync();
        var settled = await rotation.RecoverAsync(null, default);

        Assert.NotEqual(target.Password, storedAfterCrash);
        Assert.Equal(1, settled);
        Assert.Equal(target.Password, await StoredPasswordAsync());
        Assert.Empty(await store.PendingVersionsAsync(default));
    }

    [Fact]
    public async Task A_crash_before_the_target_heard_of_it_is_undone_by_recovery()
    {
        await PutAsync();
        var pending = new SealedSecretVersion("db-admin", "generic", 2, ["password"], vault.Seal("db-admin", 2, new Dictionary<string, string> { ["password"] = "never-applied" }), clock.GetCurrentInstant(), "token:t1:admin");
        await store.AddPendingVersionAsync(pending, new AuditRecord(clock.GetCurrentInstant(), Admin, AuditActions.SecretRotate, "secret:db-admin", AuditDecision.Allowed), default);

        var settled = await rotation.RecoverAsync(null, default);

        Assert.Equal(1, settled);
        Assert.Equal("first-password", await StoredPasswordAsync());
        Assert.Empty(await store.PendingVersionsAsync(default));
    }

    [Fact]
    public async Task Recovery_ends_a_change_still_waiting_at_the_target_before_it_drops_the_pending_password()
    {
        await PutAsync();
        target.CrashWhileChangeWaits = true;

        await Assert.ThrowsAsync<OperationCanceledException>(() => rotation.RotateAsync("db-admin", Admin, default));
        var settled = await rotation.RecoverAsync(null, default);
        target.ReleaseLock();

        Assert.Equal(1, settled);
        Assert.Equal([SecretRotation.AttemptOf("db-admin", 2)], target.Ended);
        Assert.Equal("first-password", target.Password);
        Assert.Equal(target.Password, await StoredPasswordAsync());
        Assert.Empty(await store.PendingVersionsAsync(default));
    }

    [Fact]
    public async Task A_change_that_landed_at_the_target_after_the_crash_is_made_current_by_recovery()
    {
        await PutAsync();
        target.CrashWhileChangeWaits = true;
        await Assert.ThrowsAsync<OperationCanceledException>(() => rotation.RotateAsync("db-admin", Admin, default));
        target.ReleaseLock();

        var settled = await rotation.RecoverAsync(null, default);

        Assert.Equal(1, settled);
        Assert.Equal(target.Password, await StoredPasswordAsync());
        Assert.NotEqual("first-password", target.Password);
        Assert.Empty(target.Ended);
    }

    [Fact]
    public async Task A_change_the_target_did_not_confirm_stays_pending_and_recovery_keeps_the_password_it_made()
    {
        await PutAsync();
        target.ChangeUnconfirmed = true;

        var rotated = await rotation.RotateAsync("db-admin", Admin, default);
        var pendingAfter = await store.PendingVersionsAsync(default);
        var settled = await rotation.RecoverAsync(null, default);

        Assert.Equal(ErrorCodes.RotationFailed, rotated.Error?.Code);
        Assert.Single(pendingAfter);
        Assert.Equal(1, settled);
        Assert.Equal(target.Password, await StoredPasswordAsync());
    }

    [Fact]
    public async Task A_new_password_that_cannot_be_proven_stays_pending_until_recovery_can_prove_one_of_the_two()
    {
        await PutAsync();
        target.VerificationFails = true;

        var rotated = await rotation.RotateAsync("db-admin", Admin, default);
        var stuck = await rotation.RecoverAsync(null, default);
        target.VerificationFails = false;
        var settled = await rotation.RecoverAsync(null, default);

        Assert.Equal(ErrorCodes.RotationFailed, rotated.Error?.Code);
        Assert.Equal(0, stuck);
        Assert.Equal(1, settled);
        Assert.Equal(target.Password, await StoredPasswordAsync());
    }

    [Fact]
    public async Task A_secret_with_a_rotation_period_is_rotated_once_the_period_has_passed()
    {
        await vault.PutAsync("db-admin", "generic", new Dictionary<string, string> { ["password"] = "first-password" }, Duration.FromDays(30), Admin, default);

        clock.Advance(Duration.FromDays(30) - Duration.FromSeconds(1));
        var early = await rotation.RotateDueAsync(default);
        clock.Advance(Duration.FromSeconds(1));
        var due = await rotation.RotateDueAsync(default);
        var again = await rotation.RotateDueAsync(default);

        Assert.Equal((0, 1, 0), (early, due, again));
        Assert.Equal(target.Password, await StoredPasswordAsync());
        Assert.NotEqual("first-password", target.Password);
    }

    [Fact]
    public async Task A_rotation_period_is_refused_for_types_without_a_rotator_and_outside_its_bounds()
    {
        var pg = new Dictionary<string, string> { ["host"] = "h", ["port"] = "5432", ["database"] = "d", ["username"] = "u", ["password"] = "p" };

        var notRotatable = await vault.PutAsync("pg", "postgresql-admin", pg, Duration.FromDays(1), Admin, default);
        var tooOften = await vault.PutAsync("db-admin", "generic", new Dictionary<string, string> { ["password"] = "x" }, Duration.FromMinutes(1), Admin, default);

        Assert.Equal(ErrorCodes.SecretNotRotatable, notRotatable.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidTtl, tooOften.Error?.Code);
        Assert.Empty(store.Versions);
    }

    [Fact]
    public async Task Only_types_with_a_rotator_can_be_rotated()
    {
        await vault.PutAsync("pg", "postgresql-admin", new Dictionary<string, string> { ["host"] = "h", ["port"] = "5432", ["database"] = "d", ["username"] = "u", ["password"] = "p" }, Admin, default);

        Assert.Equal(ErrorCodes.SecretNotRotatable, (await rotation.RotateAsync("pg", Admin, default)).Error?.Code);
        Assert.Equal(ErrorCodes.SecretNotFound, (await rotation.RotateAsync("absent", Admin, default)).Error?.Code);
    }
}
