using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Core.Database;

/// <summary>
/// Online backups of the broker's database into one folder, each a new file named by the instant it
/// was taken, and each audited. A backup holds ciphertext only: without the master key, which is never
/// in it, its secrets stay sealed.
/// </summary>
public sealed class DatabaseBackups(IBrokerDatabase database, IAuditStore audit, IClock clock, string folder)
{
    private static readonly InstantPattern FileStamp = InstantPattern.Create("uuuuMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Takes a backup now; the file's name (not its path) and the instant it was taken.</summary>
    public async Task<Result<(string File, Instant TakenAt)>> TakeAsync(AuditContext caller, CancellationToken ct)
    {
        if (!database.TakesBackups)
        {
            return BrokerError.Conflict(ErrorCodes.BackupNotSupported, "This store is a PostgreSQL database: back it up with PostgreSQL's own tools (pg_dump, or base backups with WAL archiving).");
        }

        var now = clock.GetCurrentInstant();
        var file = $"broker-{FileStamp.Format(now)}.db";
        await database.BackupAsync(Path.Combine(folder, file), ct);
        await audit.AppendAsync(new AuditRecord(now, caller, AuditActions.DatabaseBackup, $"backup:{file}", AuditDecision.Allowed), ct);
        return (file, now);
    }
}
