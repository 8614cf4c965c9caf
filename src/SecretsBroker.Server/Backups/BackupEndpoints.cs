using SecretsBroker.Contracts.Backups;
using SecretsBroker.Core.Database;
using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.Backups;

/// <summary><c>/v1/backups</c>: an admin takes a consistent copy of the broker's database while it serves.</summary>
internal static class BackupEndpoints
{
    internal static RouteGroupBuilder MapBackupEndpoints(this RouteGroupBuilder backups)
    {
        backups.MapPost("/", async (DatabaseBackups service, HttpContext http, CancellationToken ct) =>
            await service.TakeAsync(RequestAudit.ContextOf(http), ct).ToHttp(taken =>
                Results.Created($"{Contracts.Routes.Backups}/{taken.File}", new BackupInfo(taken.File, taken.TakenAt.ToDateTimeOffset()))))
            .WithName("TakeBackup").WithSummary("Write a consistent copy of the database to the backup folder")
            .Produces<BackupInfo>(StatusCodes.Status201Created);
        return backups;
    }
}
