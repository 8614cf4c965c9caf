namespace SecretsBroker.Server.Workloads;

/// <summary>Log lines about workload tokens and their keys: issuer names, key counts and reasons, never tokens or key material.</summary>
internal static partial class WorkloadLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Loaded the signing keys of issuer {Issuer} from its {Source}: {KeyCount} usable, {SkippedCount} skipped (symmetric, private, unsupported or without a key id)")]
    public static partial void KeysLoaded(ILogger logger, string issuer, string source, int keyCount, int skippedCount);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not refresh the signing keys of issuer {Issuer} from its {Source} ({Problem}); keeping the last good key set ({KeyCount} keys)")]
    public static partial void KeysRefreshFailed(ILogger logger, string issuer, string source, string problem, int keyCount);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Workload token refused (issuer {Issuer}): {Reason}")]
    public static partial void TokenRefused(ILogger logger, string issuer, string reason);
}
