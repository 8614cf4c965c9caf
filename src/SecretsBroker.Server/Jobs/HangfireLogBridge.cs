using HangfireLog = Hangfire.Logging;

namespace SecretsBroker.Server.Jobs;

/// <summary>
/// Hangfire's log provider is a process-wide static, set by whichever host configured Hangfire
/// last. This bridge sends Hangfire's lines to the broker's logging and stays quiet instead of
/// throwing once that host's logging is disposed (brokers stopped and started in one process).
/// </summary>
internal sealed class HangfireLogBridge(ILoggerFactory loggers) : HangfireLog.ILogProvider
{
    public HangfireLog.ILog GetLogger(string name)
    {
        try
        {
            return new BridgedLog(loggers.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new BridgedLog(null);
        }
    }

    private sealed class BridgedLog(ILogger? logger) : HangfireLog.ILog
    {
        public bool Log(HangfireLog.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logger is null)
            {
                return false;
            }

            var level = logLevel switch
            {
                HangfireLog.LogLevel.Trace => LogLevel.Trace,
                HangfireLog.LogLevel.Debug => LogLevel.Debug,
                HangfireLog.LogLevel.Info => LogLevel.Information,
                HangfireLog.LogLevel.Warn => LogLevel.Warning,
                HangfireLog.LogLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            try
            {
                if (messageFunc is null || !logger.IsEnabled(level))
                {
                    return logger.IsEnabled(level);
                }

#pragma warning disable CA1848, CA2254, CA1873 // Hangfire hands over finished text; there is no template to cache.
                logger.Log(level, exception, messageFunc());
#pragma warning restore CA1848, CA2254, CA1873
                return true;
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                return false;
            }
        }
    }
}
