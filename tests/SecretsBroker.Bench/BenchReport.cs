using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>report</c>: every round as measured, then the medians (each figure the median of its rounds),
/// the aim, and last one JSON line for machines.
/// </summary>
internal static class BenchReport
{
    /// <summary>The aim from DESIGN.md's "What fast means here": a goal to report against, not a test.</summary>
    private const double AimShareOfBaseline = 0.30;
    private const double AimP99Ms = 10;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var lines = (await File.ReadAllLinesAsync(args.Text("results"))).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var issue = lines.Where(l => Kind(l) == "issue").ToList();
        var baseline = lines.Where(l => Kind(l) == "baseline").ToList();
        var sweep = lines.Where(l => Kind(l) == "sweep").ToList();
        var revoke = lines.Where(l => Kind(l) == "revoke").ToList();
        if (issue.Count == 0 || baseline.Count == 0 || sweep.Count == 0)
        {
            await Console.Error.WriteLineAsync("report: the results lack issue, baseline or sweep rounds");
            return 1;
        }

        var issuePerS = Median(issue, "per_s");
        var baselinePerS = Median(baseline, "per_s");
        var p99 = Median(issue, "p99_ms");
        var ratio = Math.Round(issuePerS / baselinePerS, 3);
        var machine = new JsonObject
        {
            ["nproc"] = args.WholeNumber("nproc", Environment.ProcessorCount),
            ["cpu"] = args.OptionalText("cpu") ?? "unknown",
            ["memory_gib"] = Math.Round(args.Number("memory-kb", 0) / 1024 / 1024, 1),
            ["filesystem"] = args.OptionalText("filesystem") ?? "unknown",
            ["kernel"] = args.OptionalText("kernel") ?? Environment.OSVersion.VersionString,
            ["loadavg_before"] = args.OptionalText("loadavg"),
            ["dotnet"] = Environment.Version.ToString(),
        };

        Console.WriteLine();
        Console.WriteLine("All rounds:");
        foreach (var line in baseline.Concat(issue).Concat(sweep).Concat(revoke).OrderBy(l => Kind(l)).ThenBy(l => (int)l["round"]!))
        {
            Console.WriteLine("  " + line.ToJsonString());
        }

        Console.WriteLine();
        Console.WriteLine($"Date: {args.OptionalText("date") ?? "unknown"}");
        Console.WriteLine($"Machine: {machine["nproc"]} cores ({machine["cpu"]}), {machine["memory_gib"]} GiB, {machine["filesystem"]}, {machine["kernel"]}, .NET {machine["dotnet"]}; load average before: {machine["loadavg_before"]}");
        Console.WriteLine(Invariant($"Medians of {issue.Count} rounds, {args.WholeNumber("concurrency", 32)} clients, {args.Number("seconds", 10)} s each:"));
        Console.WriteLine(Invariant($"  bare Kestrel POST   {baselinePerS,9:F1} /s   p50 {Median(baseline, "p50_ms"),6:F2} ms   p99 {Median(baseline, "p99_ms"),6:F2} ms   server CPU {MedianOrNull(baseline, "server_cpu_us_per_request"),5:F0} us/request"));
        Console.WriteLine(Invariant($"  lease issuance      {issuePerS,9:F1} /s   p50 {Median(issue, "p50_ms"),6:F2} ms   p99 {p99,6:F2} ms   server CPU {MedianOrNull(issue, "server_cpu_us_per_request"),5:F0} us/lease   ({ratio:P1} of bare)"));
        Console.WriteLine(Invariant($"  sweep of {(int)sweep[0]["leases"]!} expired leases: {Median(sweep, "seconds"):F2} s"));
        if (revoke.Count > 0)
        {
            Console.WriteLine(Invariant($"  revocation of {(int)revoke[0]["leases"]!} live leases of one identity (broker side): {Median(revoke, "seconds"):F3} s"));
        }

        var met = ratio >= AimShareOfBaseline && p99 < AimP99Ms;
        Console.WriteLine(Invariant($"  aim (issuance >= {AimShareOfBaseline:P0} of bare, p99 < {AimP99Ms} ms): {(met ? "met" : "NOT met")}"));

        var summary = new JsonObject
        {
            ["issue_per_s"] = issuePerS,
            ["baseline_per_s"] = baselinePerS,
            ["p50_ms"] = Median(issue, "p50_ms"),
            ["p99_ms"] = p99,
            ["sweep_100k_s"] = Median(sweep, "seconds"),
            ["revoke_identity_100k_s"] = revoke.Count > 0 ? Median(revoke, "seconds") : null,
            ["baseline_p50_ms"] = Median(baseline, "p50_ms"),
            ["baseline_p99_ms"] = Median(baseline, "p99_ms"),
            ["issue_vs_baseline"] = ratio,
            ["issue_cpu_us_per_lease"] = MedianOrNull(issue, "server_cpu_us_per_request"),
            ["baseline_cpu_us_per_request"] = MedianOrNull(baseline, "server_cpu_us_per_request"),
            ["aim_met"] = met,
            ["errors"] = issue.Concat(baseline).Sum(l => (long)l["errors"]!),
            ["rounds"] = issue.Count,
            ["concurrency"] = args.WholeNumber("concurrency", 32),
            ["seconds"] = args.Number("seconds", 10),
            ["sweep_leases"] = (int)sweep[0]["leases"]!,
            ["machine"] = machine,
            ["date"] = args.OptionalText("date"),
        };
        Console.WriteLine(summary.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return 0;
    }

    private static string? Kind(JsonObject line) => (string?)line["kind"];

    private static double Median(List<JsonObject> rounds, string field)
    {
        var values = rounds.Select(r => (double)r[field]!).Order().ToList();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : Math.Round((values[mid - 1] + values[mid]) / 2, 3);
    }

    private static double? MedianOrNull(List<JsonObject> rounds, string field)
    {
        var measured = rounds.Where(r => r[field] is not null).ToList();
        return measured.Count == 0 ? null : Median(measured, field);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
