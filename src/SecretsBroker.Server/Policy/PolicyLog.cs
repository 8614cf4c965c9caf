namespace SecretsBroker.Server.Policy;

/// <summary>The policy file's log lines: paths, hashes, counts and file:line errors; a policy holds no secret values.</summary>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Policy loaded from {Path}: {Roles} roles, {Rules} rules, sha256 {Hash}")]
    public static partial void Loaded(ILogger logger, string path, int roles, int rules, string hash);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "No policy file is configured (Policy:File): every lease is denied")]
    public static partial void NoPolicyFile(ILogger logger);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Policy file {Path} refused, the policy in force stays (sha256 {Hash}): {ErrorCount} errors")]
    public static partial void Refused(ILogger logger, string path, string hash, int errorCount);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Policy error {Error}")]
    public static partial void Error(ILogger logger, string error);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Critical, Message = "Policy file {Path} is not a valid policy: the broker does not start with it")]
    public static partial void InvalidAtStart(ILogger logger, string path);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Policy file {Path} is checked for changes by polling only: {Reason}")]
    public static partial void PollingOnly(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "Checking policy file {Path} for changes failed; trying again at the next change or poll")]
    public static partial void CheckFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Policy load of {Path} ({Decision}) not audited: the broker is sealed")]
    public static partial void NotAudited(ILogger logger, string path, string decision);
}
