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

    /// <summary>
    /// Records the next version of a secret without making it current: a rotation writes the new
    /// value here before the target learns it. False when the secret moved on or the number is taken.
    /// </summary>
    Task<bool> AddPendingVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct);

    /// <summary>Makes a pending version current and erases the values of older ones; false when it is not the next version.</summary>
    Task<bool> PromoteAsync(string name, int version, Instant now, AuditRecord record, CancellationToken ct);

    /// <summary>Forgets a pending version (the rotation it belonged to did not happen).</summary>
    Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct);

    /// <summary>Secrets with a rotation period whose last write or rotation is at least that long before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct);

    /// <summary>Every pending version with its ciphertext: rotations a crash or failure left unfinished.</summary>
    Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct);

    /// <summary>Deletes the secret with all versions; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct);
}
