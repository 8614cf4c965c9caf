using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Naming;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Secrets;

/// <summary>
/// Stores root secrets encrypted (one Data Protection purpose per secret and version) and tells
/// their metadata. Values go in and, for providers only, come out through <see cref="RevealAsync"/>;
/// no answer, log line or audit record ever holds one.
/// </summary>
public sealed class SecretVault(
    ISecretStore store, IDataProtectionProvider dataProtection, IClock clock, IEnumerable<ISecretRotator> rotators, IEnumerable<ISecretTargetCheck> targetChecks)
{
    public static readonly Duration ShortestRotation = Duration.FromMinutes(5);
    public static readonly Duration LongestRotation = Duration.FromDays(366);

    private readonly HashSet<string> rotatable = rotators.Select(r => r.SecretType).ToHashSet(StringComparer.Ordinal);
    private readonly ILookup<string, ISecretTargetCheck> checks = targetChecks.ToLookup(c => c.SecretType, StringComparer.Ordinal);

    /// <summary>How many times a put retries when another writer takes the same version number.</summary>
    private const int MaxVersionRaces = 5;

    public Task<Result<(RootSecret Secret, bool Created)>> PutAsync(
        string name, string? typeName, IReadOnlyDictionary<string, string>? fields, AuditContext who, CancellationToken ct) =>
        PutAsync(name, typeName, fields, null, who, ct);

    public async Task<Result<(RootSecret Secret, bool Created)>> PutAsync(
        string name, string? typeName, IReadOnlyDictionary<string, string>? fields, Duration? rotateEvery, AuditContext who, CancellationToken ct)
    {
        if (ResourceName.Check(name, "secret name") is { } badName)
        {
            return badName;
        }

        var type = SecretType.Find(typeName);
        if (!type.IsSuccess)
        {
            return type.Error!;
        }

        if (type.Value.Check(fields) is { } badFields)
        {
            return badFields;
        }

        if (rotateEvery is { } period && !rotatable.Contains(type.Value.Name))
        {
            return BrokerError.Invalid(ErrorCodes.SecretNotRotatable, $"Secrets of type {type.Value.Name} cannot be rotated by the broker.");
        }

        if (rotateEvery is { } every && (every < ShortestRotation || every > LongestRotation))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidTtl, "The rotation period must be between 5 minutes and 366 days.");
        }

        foreach (var check in checks[type.Value.Name])
        {
            if (await check.CheckAsync(name, fields!, ct) is { } lacking)
            {
                return lacking;
            }
        }

        var plaintext = JsonSerializer.SerializeToUtf8Bytes(fields);
        var fieldNames = fields!.Keys.Order(StringComparer.Ordinal).ToList();
        for (var attempt = 0; attempt < MaxVersionRaces; attempt++)
        {
            var version = await store.CurrentVersionAsync(name, ct) + 1;
            var now = clock.GetCurrentInstant();
            var sealedVersion = new SealedSecretVersion(
                name, type.Value.Name, version, fieldNames, Convert.ToBase64String(Protector(name, version).Protect(plaintext)), now, who.Actor)
            {
                PublicPart = type.Value.PublicPart?.Invoke(fields),
                RotateEvery = rotateEvery,
            };
            var audit = new AuditRecord(now, who, AuditActions.SecretPut, Target(name), AuditDecision.Allowed, $"version {version}");
            if (await store.AddVersionAsync(sealedVersion, audit, ct))
            {
                return ((await store.FindAsync(name, ct))!, version == 1);
            }
        }

        return BrokerError.Conflict("secret_write_conflict", "The secret is being written by others; try again.");
    }

    public async Task<Result<RootSecret>> GetAsync(string name, CancellationToken ct)
    {
        if (ResourceName.Check(name, "secret name") is { } badName)
        {
            return badName;
        }

        return await store.FindAsync(name, ct) is { } secret ? secret : NotFound(name);
    }

    public Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct) => store.ListAsync(ct);

    public async Task<Result<bool>> DeleteAsync(string name, AuditContext who, CancellationToken ct)
    {
        if (ResourceName.Check(name, "secret name") is { } badName)
        {
            return badName;
        }

        var audit = new AuditRecord(clock.GetCurrentInstant(), who, AuditActions.SecretDelete, Target(name), AuditDecision.Allowed);
        return await store.DeleteAsync(name, audit, ct) ? true : NotFound(name);
    }

    public Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(SecretType type, CancellationToken ct) => store.PublicPartsAsync(type.Name, ct);

    /// <summary>The current version's fields, for a provider that mints from this secret.</summary>
    public async Task<Result<IReadOnlyDictionary<string, string>>> RevealAsync(string name, CancellationToken ct)
    {
        if (await store.ReadCiphertextAsync(name, ct) is not { } stored)
        {
            return NotFound(name);
        }

        var plaintext = Protector(name, stored.Version).Unprotect(Convert.FromBase64String(stored.Ciphertext));
        return JsonSerializer.Deserialize<Dictionary<string, string>>(plaintext)!;
    }

    /// <summary>
    /// The current version's fields, unless the stored version is still the one a caller holds: then
    /// only its fingerprint comes back and nothing is decrypted. The fingerprint is a SHA-256 of the
    /// version's number and ciphertext, read in the same statement as the fields, so it names exactly
    /// the version they came from; every version is sealed afresh (its own key and nonce), so any new
    /// version, a secret deleted and created again included, has another fingerprint.
    /// </summary>
    public async Task<Result<CurrentSecretVersion>> RevealChangedAsync(string name, string? heldFingerprint, CancellationToken ct)
    {
        if (await store.ReadCiphertextAsync(name, ct) is not { } stored)
        {
            return NotFound(name);
        }

        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{stored.Version}:{stored.Ciphertext}")));
        return fingerprint == heldFingerprint
            ? new CurrentSecretVersion(fingerprint, null)
            : new CurrentSecretVersion(fingerprint, Unseal(name, stored.Version, stored.Ciphertext));
    }

    /// <summary>Encrypts <paramref name="fields"/> for one version of a secret (bound to its name and number).</summary>
    internal string Seal(string name, int version, IReadOnlyDictionary<string, string> fields) =>
        Convert.ToBase64String(Protector(name, version).Protect(JsonSerializer.SerializeToUtf8Bytes(fields)));

    internal IReadOnlyDictionary<string, string> Unseal(string name, int version, string ciphertext) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(Protector(name, version).Unprotect(Convert.FromBase64String(ciphertext)))!;

    private IDataProtector Protector(string name, int version) =>
        dataProtection.CreateProtector(Purposes.RootSecret).CreateProtector(name).CreateProtector($"v{version}");

    private static string Target(string name) => $"secret:{name}";

    private static BrokerError NotFound(string name) =>
        BrokerError.NotFound(ErrorCodes.SecretNotFound, $"No secret named '{name}'.");
}
