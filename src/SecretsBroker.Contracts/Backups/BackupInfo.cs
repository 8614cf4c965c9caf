namespace SecretsBroker.Contracts.Backups;

/// <summary>A backup the broker just wrote: the file's name in the backup folder and when it was taken.</summary>
public sealed record BackupInfo(string File, DateTimeOffset TakenAt);
