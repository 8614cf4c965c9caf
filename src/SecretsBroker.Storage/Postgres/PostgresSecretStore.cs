using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.BreakGlass;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;

namespace SecretsBroker.Storage.Postgres;

#pragma warning disable CS9113, IDE0005 // Filled in store by store.
/// <summary>Root secrets and their versions in PostgreSQL.</summary>
public sealed class PostgresSecretStore(PostgresDatabase db, PostgresAuditAppender audit) : ISecretStore
{
    public Task<RootSecret?> FindAsync(string name, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<RootSecret>> ListAsync(CancellationToken ct) => throw new NotImplementedException();

    public Task<int> CurrentVersionAsync(string name, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> AddVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<(int Version, string Ciphertext)?> ReadCiphertextAsync(string name, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<PublicSecretPart>> PublicPartsAsync(string type, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> AddPendingVersionAsync(SealedSecretVersion version, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> PromoteAsync(string name, int version, Instant now, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task DropPendingAsync(string name, int version, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<string>> DueForRotationAsync(Instant now, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<PendingSecretVersion>> PendingVersionsAsync(CancellationToken ct) => throw new NotImplementedException();

    public Task<bool> DeleteAsync(string name, AuditRecord record, CancellationToken ct) => throw new NotImplementedException();
}
