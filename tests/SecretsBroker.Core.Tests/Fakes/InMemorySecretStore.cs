using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Core.Tests.Fakes;

internal sealed class InMemorySecretStore : ISecretStore
{
    public Dictionary<string, List<SealedSecretVersion>> Versions { get; } = [];

    public List<AuditRecord> Audit { get; } = [];

    public Task<RootSecret?> FindAsync(string name, CancellationToken ct) =>
        Task.FromResult(Versions.TryGetValue(name, out var versions) ? ToSecret(versions) : null);

    public Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RootSecret>>(Versions.Values.Select(ToSecret).ToList());

    public Task<int> CurrentVersionAsync(string name, CancellationToken ct) =>
        Task.FromResult(Versions.TryGetValue(name, out var versions) ? versions[^1].Version : 0);

    public Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct)
    {
        var versions = Versions.TryGetValue(version.Name, out var existing) ? existing : Versions[version.Name] = [];
        versions.Add(version);
        Audit.Add(record);
        return Task.FromResult(true);
    }

    public Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct) =>
        Task.FromResult<(int, string)?>(Versions.TryGetValue(name, out var versions) ? (versions[^1].Version, versions[^1].Ciphertext) : null);

    public Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PublicSecretPart>>(Versions.Values
            .Where(v => v[0].Type == type)
            .SelectMany(v => v.Where(x => x.PublicPart is not null).Select(x => new PublicSecretPart(
                x.Name, x.Version, x.PublicPart!, x.CreatedAt, v.FirstOrDefault(n => n.Version == x.Version + 1)?.CreatedAt)))
            .ToList());

    public Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct)
    {
        Audit.Add(record);
        return Task.FromResult(Versions.Remove(name));
    }

    private static RootSecret ToSecret(List<SealedSecretVersion> versions) => new(
        versions[^1].Name,
        versions[^1].Type,
        versions[^1].Version,
        versions[^1].FieldNames,
        versions[0].CreatedAt,
        versions[^1].CreatedAt,
        versions.Select(v => new RootSecretVersion(v.Version, v.CreatedAt, v.CreatedBy)).ToList());
}
