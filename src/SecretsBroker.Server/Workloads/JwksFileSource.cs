using NodaTime;
using SecretsBroker.Server.Metrics;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// Keys from a JWKS file on this machine (air-gapped sites). Each use compares the file's size and
/// modification time with what was loaded (one stat call), so a replaced file is picked up on the next
/// token; it is also re-read every refresh interval. A file that cannot be read or parsed leaves the
/// last good keys in place.
/// </summary>
internal sealed class JwksFileSource(string issuer, string path, Duration refresh, IClock clock, JwksFigures.Issuer figures, ILogger logger) : JwksSource
{
    private readonly Lock gate = new();
    private volatile Loaded? loaded;

    public override string Kind => "JWKS file";

    public override ValueTask<JwksKeySet?> CurrentAsync(CancellationToken ct) => ValueTask.FromResult(Current());

    /// <summary>The stat check in <see cref="Current"/> already catches a replaced file; nothing more to do.</summary>
    public override ValueTask<JwksKeySet?> RefreshForUnknownKeyAsync(CancellationToken ct) => ValueTask.FromResult(Current());

    private JwksKeySet? Current()
    {
        var stamp = FileStamp.Of(path);
        var now = clock.GetCurrentInstant();
        var seen = loaded;
        if (seen is not null && seen.Stamp == stamp && now < seen.ReadAt + refresh)
        {
            return seen.Keys;
        }

        lock (gate)
        {
            seen = loaded;
            if (seen is not null && seen.Stamp == stamp && now < seen.ReadAt + refresh)
            {
                return seen.Keys;
            }

            var (keys, problem) = Read(stamp);
            if (keys is null)
            {
                figures.Failed();
            }
            else
            {
                figures.Refreshed();
            }

            if (keys is not null && seen?.Keys is { } previous && previous.SameDocumentAs(keys.Fingerprint))
            {
                keys = previous;
            }
            else if (keys is not null)
            {
                WorkloadLog.KeysLoaded(logger, issuer, Kind, keys.Keys.Count, keys.Skipped);
            }
            else
            {
                keys = seen?.Keys;
                WorkloadLog.KeysRefreshFailed(logger, issuer, Kind, problem!, keys?.Keys.Count ?? 0);
            }

            // Remembering the stamp of a bad file too means it is not re-read (and re-logged) on every
            // token, only once it changes again or the refresh interval passes.
            loaded = new Loaded(keys, stamp, now);
            return keys;
        }
    }

    private (JwksKeySet? Keys, string? Problem) Read(FileStamp stamp)
    {
        if (!stamp.Exists)
        {
            return (null, "the file does not exist");
        }

        if (stamp.Length > JwksKeySet.MaxBytes)
        {
            return (null, $"the file is larger than {JwksKeySet.MaxBytes} bytes");
        }

        try
        {
            return JwksKeySet.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"the file cannot be read ({e.GetType().Name})");
        }
    }

    private sealed record Loaded(JwksKeySet? Keys, FileStamp Stamp, Instant ReadAt);

    private readonly record struct FileStamp(bool Exists, DateTime WrittenAt, long Length)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.LastWriteTimeUtc, info.Length) : default;
        }
    }
}
