using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Time;

namespace SecretsBroker.Core.Tests.Fakes;

/// <summary>
/// Root secrets in memory with the SQL store's rules (proven by the secret store contract): a
/// current-version pointer that moves one number at a time, pending versions above it, older values
/// erased (an empty ciphertext here), instants kept at the stored precision.
/// </summary>
internal sealed class InMemorySecretStore(InMemoryAuditStore trail) : ISecretStore
{
    private readonly object gate = new();

    /// <summary>A trail of its own; <see cref="Contracts.InMemoryStores"/> passes one shared by every fake.</summary>
    public InMemorySecretStore()
        : this(new InMemoryAuditStore())
    {
    }

    /// <summary>The trail this store appends to, in order.</summary>
    public IReadOnlyList<AuditEvent> Audit => trail.Events;

    /// <summary>Each secret's versions in version order, pending ones included.</summary>
    public Dictionary<string, List<SealedSecretVersion>> Versions { get; } = [];

    public Dictionary<string, int> Current { get; } = [];

    /// <summary>Each secret's rotation period, set by a put (a rotation keeps it), in whole seconds as the SQL store keeps it.</summary>
    public Dictionary<string, Duration?> RotateEvery { get; } = [];

    /// <summary>When each secret was last written or rotated (the SQL store's updated_at).</summary>
    public Dictionary<string, Instant> UpdatedAt { get; } = [];

    public Task<RootSecret?> FindAsync(string name, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Versions.ContainsKey(name) ? ToSecret(name) : null);
        }
    }

    public Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<RootSecret>>(Versions.Keys.Order(StringComparer.Ordinal).Select(ToSecret).ToList());
        }
    }

    public Task<int> CurrentVersionAsync(string name, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult(Current.GetValueOrDefault(name));
        }
    }

    public Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            var exists = Versions.TryGetValue(version.Name, out var versions);
            if ((exists && Current[version.Name] != version.Version - 1) || (versions?.Any(v => v.Version == version.Version) ?? false))
            {
                return Task.FromResult(false);
            }

            var stored = version with { CreatedAt = version.CreatedAt.AtStoredPrecision() };
            Versions[version.Name] = [.. Erased(versions ?? [], version.Version), stored];
            Current[version.Name] = version.Version;
            UpdatedAt[version.Name] = stored.CreatedAt;
            RotateEvery[version.Name] = version.RotateEvery is { } every ? Duration.FromSeconds((long)every.TotalSeconds) : null;
            trail.Append(record);
            return Task.FromResult(true);
        }
    }

    public Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<(int, string)?>(Versions.TryGetValue(name, out var versions) ? (Current[name], versions.Single(v => v.Version == Current[name]).Ciphertext) : null);
        }
    }

    public Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<PublicSecretPart>>(Versions
                .Where(s => ToSecret(s.Key).Type == type)
                .SelectMany(s => s.Value.Where(v => v.PublicPart is not null).Select(v => new PublicSecretPart(
                    v.Name, v.Version, v.PublicPart!, v.CreatedAt, s.Value.FirstOrDefault(next => next.Version == v.Version + 1)?.CreatedAt)))
                .OrderByDescending(p => p.CreatedAt)
                .ToList());
        }
    }

    public Task<bool> AddPendingVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (!Versions.TryGetValue(version.Name, out var versions) || Current[version.Name] != version.Version - 1 || versions.Any(v => v.Version == version.Version))
            {
                return Task.FromResult(false);
            }

            versions.Add(version with { CreatedAt = version.CreatedAt.AtStoredPrecision() });
            trail.Append(record);
            return Task.FromResult(true);
        }
    }

    public Task<bool> PromoteAsync(string name, int version, Instant now, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (!Versions.TryGetValue(name, out var versions) || Current[name] != version - 1 || !versions.Any(v => v.Version == version && v.Ciphertext.Length > 0))
            {
                return Task.FromResult(false);
            }

            Versions[name] = Erased(versions, version);
            Current[name] = version;
            UpdatedAt[name] = now.AtStoredPrecision();
            trail.Append(record);
            return Task.FromResult(true);
        }
    }

    public Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (Versions.TryGetValue(name, out var versions))
            {
                versions.RemoveAll(v => v.Version == version && version > Current[name]);
            }

            trail.Append(record);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<string>>(Versions.Keys
                .Where(name => RotateEvery.GetValueOrDefault(name) is { } every && UpdatedAt[name] + every <= now.AtStoredPrecision())
                .Order(StringComparer.Ordinal)
                .ToList());
        }
    }

    public Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<PendingSecretVersion>>(Versions.Values.SelectMany(v => v)
                .Where(v => v.Version > Current[v.Name] && v.Ciphertext.Length > 0)
                .OrderBy(v => v.Name, StringComparer.Ordinal).ThenBy(v => v.Version)
                .Select(v => new PendingSecretVersion(v.Name, ToSecret(v.Name).Type, v.Version, v.Ciphertext))
                .ToList());
        }
    }

    public Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct)
    {
        lock (gate)
        {
            if (!Versions.Remove(name))
            {
                return Task.FromResult(false);
            }

            Current.Remove(name);
            UpdatedAt.Remove(name);
            RotateEvery.Remove(name);
            trail.Append(record);
            return Task.FromResult(true);
        }
    }

    /// <summary>The ciphertext kept for one version, null once erased.</summary>
    public string? StoredCiphertext(string name, int version)
    {
        lock (gate)
        {
            return Versions[name].Single(v => v.Version == version).Ciphertext is { Length: > 0 } kept ? kept : null;
        }
    }

    /// <summary>The versions with the values of those below <paramref name="current"/> erased: a value that is gone cannot leak.</summary>
    private static List<SealedSecretVersion> Erased(List<SealedSecretVersion> versions, int current) =>
        versions.Select(v => v.Version < current ? v with { Ciphertext = "" } : v).ToList();

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
            UpdatedAt[name],
            versions.Select(v => new RootSecretVersion(v.Version, v.CreatedAt, v.CreatedBy)).ToList())
        {
            RotateEvery = RotateEvery.GetValueOrDefault(name),
        };
    }
}
