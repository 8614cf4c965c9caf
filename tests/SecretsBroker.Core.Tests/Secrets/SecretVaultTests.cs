using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Secrets;

public sealed class SecretVaultTests
{
    private static readonly AuditContext Admin = new("token:t1:admin", "req", "127.0.0.1", null);
    private readonly InMemorySecretStore store = new();
    private readonly SecretVault vault;

    public SecretVaultTests() =>
        vault = new SecretVault(store, new EphemeralDataProtectionProvider(), new FakeClock(Instant.FromUtc(2026, 11, 23, 9, 0)), rotators: [], targetChecks: []);

    [Fact]
    public async Task A_stored_value_is_ciphertext_and_reveals_to_the_original()
    {
        var fields = new Dictionary<string, string> { ["token"] = "value-8d1f" };

        var put = await vault.PutAsync("api", "generic", fields, Admin, default);
        var revealed = await vault.RevealAsync("api", default);

        Assert.True(put.IsSuccess);
        Assert.DoesNotContain("value-8d1f", store.Versions["api"][0].Ciphertext, StringComparison.Ordinal);
        Assert.Equal("value-8d1f", revealed.Value["token"]);
    }

    [Fact]
    public async Task Every_put_makes_a_new_version_and_is_audited_without_its_value()
    {
        await vault.PutAsync("api", "generic", new Dictionary<string, string> { ["token"] = "first-41" }, Admin, default);
        var second = await vault.PutAsync("api", "generic", new Dictionary<string, string> { ["token"] = "second-42" }, Admin, default);

        Assert.Equal((2, false), (second.Value.Secret.Version, second.Value.Created));
        Assert.Equal("second-42", (await vault.RevealAsync("api", default)).Value["token"]);
        Assert.Equal(2, store.Audit.Count);
        Assert.All(store.Audit, a => Assert.DoesNotContain("-4", a.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ciphertext_copied_onto_another_secret_does_not_decrypt()
    {
        await vault.PutAsync("one", "generic", new Dictionary<string, string> { ["k"] = "v1" }, Admin, default);
        await vault.PutAsync("two", "generic", new Dictionary<string, string> { ["k"] = "v2" }, Admin, default);
        store.Versions["two"][0] = store.Versions["two"][0] with { Ciphertext = store.Versions["one"][0].Ciphertext };

        await Assert.ThrowsAnyAsync<CryptographicException>(() => vault.RevealAsync("two", default));
    }

    [Fact]
    public async Task Invalid_input_is_refused_before_anything_is_stored()
    {
        var badName = await vault.PutAsync("Bad Name", "generic", new Dictionary<string, string> { ["k"] = "v" }, Admin, default);
        var badType = await vault.PutAsync("ok", "nope", new Dictionary<string, string> { ["k"] = "v" }, Admin, default);
        var noFields = await vault.PutAsync("ok", "generic", new Dictionary<string, string>(), Admin, default);

        Assert.Equal([ErrorCodes.InvalidName, ErrorCodes.UnknownSecretType, ErrorCodes.MissingField], new[] { badName.Error!.Code, badType.Error!.Code, noFields.Error!.Code });
        Assert.Empty(store.Versions);
        Assert.Empty(store.Audit);
    }

    [Fact]
    public async Task A_missing_secret_is_not_found()
    {
        Assert.Equal(ErrorCodes.SecretNotFound, (await vault.GetAsync("absent", default)).Error?.Code);
        Assert.Equal(ErrorCodes.SecretNotFound, (await vault.DeleteAsync("absent", Admin, default)).Error?.Code);
        Assert.Equal(ErrorCodes.SecretNotFound, (await vault.RevealAsync("absent", default)).Error?.Code);
    }

    [Fact]
    public async Task The_version_a_caller_holds_is_not_decrypted_again_and_any_new_version_is()
    {
        await vault.PutAsync("db", "generic", new Dictionary<string, string> { ["password"] = "first-51" }, Admin, default);
        var first = (await vault.RevealChangedAsync("db", null, default)).Value;
        var again = (await vault.RevealChangedAsync("db", first.Fingerprint, default)).Value;
        await vault.PutAsync("db", "generic", new Dictionary<string, string> { ["password"] = "second-52" }, Admin, default);
        var rotated = (await vault.RevealChangedAsync("db", first.Fingerprint, default)).Value;
        await vault.DeleteAsync("db", Admin, default);
        await vault.PutAsync("db", "generic", new Dictionary<string, string> { ["password"] = "second-52" }, Admin, default);
        var recreated = (await vault.RevealChangedAsync("db", rotated.Fingerprint, default)).Value;

        Assert.Equal("first-51", first.Fields!["password"]);
        Assert.Equal((first.Fingerprint, null), (again.Fingerprint, again.Fields));
        Assert.Equal("second-52", rotated.Fields!["password"]);
        Assert.NotEqual(first.Fingerprint, rotated.Fingerprint);
        Assert.Equal("second-52", recreated.Fields!["password"]);
        Assert.NotEqual(rotated.Fingerprint, recreated.Fingerprint);
        Assert.DoesNotContain("second", recreated.ToString(), StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.SecretNotFound, (await vault.RevealChangedAsync("absent", null, default)).Error?.Code);
    }
}
