using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>Root secrets in memory with the SQL store's rules: a current-version pointer, pending versions above it.</summary>
internal sealed class InMemorySecretStore(InMemoryAuditStore trail) : ISecretStore
{
    /// <summary>A trail of its own; <see cref="Contracts.InMemoryStores"/> passes one shared by every fake.</summary>
    public InMemorySecretStore()
        : this(new InMemoryAuditStore())
    {
    }

    /// <summary>The trail this store appends to, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit => trail.Events;

    public Dictionary<string, List<SealedSecretVersion>> Versions { get; } = [];

    public Dictionary<string, int> Current { get; } = [];

    public Task<RootSecret?> FindAsync(string name, CancellationToken ct) =>
        Task.FromResult(Versions.ContainsKey(name) ? ToSecret(name) : null);

    public Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RootSecret>>(Versions.Keys.Select(ToSecret).ToList());

    public Task<int> CurrentVersionAsync(string name, CancellationToken ct) => Task.FromResult(Current.GetValueOrDefault(name));

    public Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        var versions = Versions.TryGetValue(version.Name, out var existing) ? existing : Versions[version.Name] = [];
        if (versions.Any(v => v.Version == version.Version))
        {
            return Task.FromResult(false);
        }

        versions.Add(version);
        Current[version.Name] = version.Version;
        UpdatedAt[version.Name] = version.CreatedAt;
        RotateEvery[version.Name] = version.RotateEvery;
        trail.Append(record);
        return Task.FromResult(true);
    }

    public Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct) =>
        Task.FromResult<(int, string)?>(Versions.TryGetValue(name, out var versions) ? (Current[name], versions.Single(v => v.Version == Current[name]).Ciphertext) : null);

    public Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PublicSecretPart>>(Versions.Values
            .Where(v => v[0].Type == type)
            .SelectMany(v => v.Where(x => x.PublicPart is not null).Select(x => new PublicSecretPart(
                x.Name, x.Version, x.PublicPart!, x.CreatedAt, v.FirstOrDefault(n => n.Version == x.Version + 1)?.CreatedAt)))
            .ToList());

    public Task<bool> AddPendingVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        if (Current.GetValueOrDefault(version.Name) != version.Version - 1 || Versions[version.Name].Any(v => v.Version == version.Version))
        {
            return Task.FromResult(false);
        }

        Versions[version.Name].Add(version);
        trail.Append(record);
        return Task.FromResult(true);
    }

    public Task<bool> PromoteAsync(string name, int version, Instant now, AuditRecord record, CancellationToken ct)
    {
        if (Current.GetValueOrDefault(name) != version - 1 || Versions[name].All(v => v.Version != version))
        {
            return Task.FromResult(false);
        }

        Current[name] = version;
        UpdatedAt[name] = now;
        Versions[name] = Versions[name].Select(v => v.Version < version ? v with { Ciphertext = "" } : v).ToList();
        trail.Append(record);
        return Task.FromResult(true);
    }

    public Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct)
    {
        Versions[name].RemoveAll(v => v.Version == version && version > Current[name]);
        trail.Append(record);
        return Task.CompletedTask;
    }

    /// <summary>Each secret's rotation period, set by a put (a rotation keeps it).</summary>
    public Dictionary<string, Duration?> RotateEvery { get; } = [];

    /// <summary>When each secret was last written or rotated (the SQL store's updated_at).</summary>
    public Dictionary<string, Instant> UpdatedAt { get; } = [];

    public Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>(Versions.Keys
            .Where(name => ToSecret(name).RotateEvery is { } every && UpdatedAt[name] + every <= now)
            .ToList());

    public Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PendingSecretVersion>>(Versions.Values.SelectMany(v => v)
            .Where(v => v.Version > Current[v.Name])
            .Select(v => new PendingSecretVersion(v.Name, v.Type, v.Version, v.Ciphertext))
            .ToList());

    public Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct)
    {
        trail.Append(record);
        Current.Remove(name);
        return Task.FromResult(Versions.Remove(name));
    }

    private RootSecret ToSecret(string name)
    {
        var versions = Versions[name];
        var current = versions.Single(v => v.Version == Current[name]);
        return new RootSecret(
            name,
            current.Type,
            current.Version,
            current.FieldNames,
            versions[0].CreatedAt,
            current.CreatedAt,
            versions.Select(v => new RootSecretVersion(v.Version, v.CreatedAt, v.CreatedBy)).ToList())
        {
            RotateEvery = RotateEvery.GetValueOrDefault(name),
        };
    }
}
