using System.Diagnostics;
using System.Globalization;

namespace SecretsBroker.Bench;

/// <summary>
/// A server's CPU time (user + system, from <c>/proc/PID/stat</c>) between two moments. On a shared
/// machine the rate depends on what else runs; CPU per request mostly does not.
/// </summary>
internal static class ServerCpu
{
    /// <summary>Clock ticks per second of /proc's times (USER_HZ), 100 on Linux.</summary>
    private const double TicksPerSecond = 100;

    public static async Task<TimeSpan?> OverWindowAsync(int pid, long from, long to, CancellationToken ct)
    {
        await Task.Delay(Until(from), ct);
        var start = Read(pid);
        await Task.Delay(Until(to), ct);
        var end = Read(pid);
        return start is { } a && end is { } b ? TimeSpan.FromSeconds((b - a) / TicksPerSecond) : null;
    }

    private static TimeSpan Until(long timestamp) =>
        TimeSpan.FromTicks(Math.Max(0, (long)((timestamp - Stopwatch.GetTimestamp()) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));

    /// <summary>utime + stime in ticks; the fields are counted after the command name, which may hold spaces.</summary>
    private static long? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
