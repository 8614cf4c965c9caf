using NodaTime;

namespace SecretsBroker.Core.Database;

/// <summary>
/// The broker's own database as a whole, whatever engine holds it: what start-up, readiness and backups
/// need before and beside the stores.
/// </summary>
public interface IBrokerDatabase
{
    /// <summary>Where the database is, for log lines and operator messages; never a password.</summary>
    string Location { get; }

    /// <summary>
    /// The stored seal check, read without any chance of writing (a sealed broker changes nothing);
    /// null when none was stored yet, i.e. a database that was never started to the end.
    /// </summary>
    Task<string?> ReadSealCheckAsync(CancellationToken ct);

    /// <summary>Stores the seal check, once, as the last step of a first start.</summary>
    Task WriteSealCheckAsync(string sealCheck, Instant now, CancellationToken ct);

    /// <summary>Applies the pending migrations under a lock that keeps two processes from migrating at once; the names applied now.</summary>
    Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct);

    /// <summary>Whether the database answers, and with every migration applied; never throws for an unreachable database.</summary>
    Task<DatabaseHealth> ProbeAsync(CancellationToken ct);

    /// <summary>
    /// A consistent copy of the whole database, taken while it serves, written to a new file at
    /// <paramref name="destination"/> that only the broker's user can read. Its secrets stay sealed by the
    /// master key, which is not in it. The folder is made owner-only when it does not exist.
    /// </summary>
    Task BackupAsync(string destination, CancellationToken ct);

    /// <summary>Whether <see cref="BackupAsync"/> is how this database is backed up (not so for a server database, which has its own tools).</summary>
    bool TakesBackups { get; }

    /// <summary>
    /// Held while this process looks for the seal check and, finding none, makes a new store: several
    /// processes starting on one new database then make it one at a time, and only the first makes
    /// its key ring and initial admin token. Writes nothing.
    /// </summary>
    Task<IAsyncDisposable> HoldFirstStartAsync(CancellationToken ct);

    /// <summary>
    /// Where this store's data was moved to (a location, never a login) when it was copied into
    /// another store, else null. A moved store must not serve again: two live stores would each issue
    /// leases the other knows nothing of. Only an embedded store is ever the source of a move.
    /// </summary>
    Task<string?> ReadMovedToAsync(CancellationToken ct) => Task.FromResult<string?>(null);
}

/// <summary>Readiness of the database: reachable, and migrated to the schema this build expects.</summary>
public sealed record DatabaseHealth(bool Reachable, bool MigrationsApplied);
