using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SecretsBroker.Bench;

/// <summary>One load round: good answers per second over the recorded window, and their latency percentiles.</summary>
internal sealed record LoadResult(
    string Kind,
    int Round,
    int Concurrency,
    double Seconds,
    long Requests,
    long Errors,
    double PerS,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    double? ServerCpuUsPerRequest,
    string? FirstError)
{
    public static LoadResult From(string kind, int round, int concurrency, double seconds, IReadOnlyList<LoopTally> tallies, TimeSpan? serverCpu)
    {
        var latencies = tallies.SelectMany(t => t.Latencies).Order().ToArray();
        var errors = tallies.Sum(t => t.Failures.Values.Sum());
        var firstError = tallies.Select(t => t.FirstProblem).FirstOrDefault(p => p is not null);
        var statuses = tallies.SelectMany(t => t.Failures).GroupBy(f => f.Key).Select(g => $"{g.Key}x{g.Sum(f => f.Value)}");
        return new LoadResult(
            kind,
            round,
            concurrency,
            seconds,
            latencies.Length,
            errors,
            Math.Round(latencies.Length / seconds, 1),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.90),
            Percentile(latencies, 0.99),
            latencies.Length == 0 ? 0 : Milliseconds(latencies[^1]),
            serverCpu is { } cpu && latencies.Length > 0 ? Math.Round(cpu.TotalMicroseconds / latencies.Length, 1) : null,
            errors == 0 ? null : $"{string.Join(", ", statuses)}: {firstError}");
    }

    public string ToJsonLine() => JsonSerializer.Serialize(this, BenchJson.Lines);

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Kind,-8} round {Round}: {PerS,9:F1} /s  p50 {P50Ms,6:F2} ms  p90 {P90Ms,6:F2} ms  p99 {P99Ms,6:F2} ms  max {MaxMs,7:F2} ms  server CPU {ServerCpuUsPerRequest,5:F0} us/req  ({Requests} ok, {Errors} errors){(FirstError is null ? "" : "  first error: " + FirstError)}");

    /// <summary>Nearest-rank percentile of sorted latencies, in milliseconds.</summary>
    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Milliseconds(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);

    private static double Milliseconds(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);
}
