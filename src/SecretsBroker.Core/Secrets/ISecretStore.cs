using NodaTime;
using SecretsBroker.Core.Audit;

namespace SecretsBroker.Core.Secrets;

/// <summary>Root secrets at rest. Every write commits its audit event in the same transaction.</summary>
public interface ISecretStore
{
    Task<RootSecret?> FindAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct);

    /// <summary>The current version's number (0 when there is none).</summary>
    Task<int> CurrentVersionAsync(string name, CancellationToken ct);

    /// <summary>
    /// Stores a new version and makes it current; older versions keep their metadata but lose their
    /// ciphertext. False when another writer stored that version number first.
    /// </summary>
    Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct);

    /// <summary>The current version's number and ciphertext, or null.</summary>
    Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct);

    /// <summary>The public parts of every version of every secret of <paramref name="type"/>, newest first.</summary>
    Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct);

    /// <summary>Deletes the secret with all versions; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct);
}
