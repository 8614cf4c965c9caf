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
        var pgIssue = lines.Where(l => Kind(l) == "pg-issue").ToList();
        var pgRevoke = lines.Where(l => Kind(l) == "pg-revoke").ToList();
        var pgCreate = lines.Where(l => Kind(l) == "pg-bare-create").ToList();
        var pgDrop = lines.Where(l => Kind(l) == "pg-bare-drop").ToList();
        var pgStore = new PostgresStoreReport(lines);
        var atOne = lines.Where(l => Kind(l) == "issue-at-1").ToList();
        var atEight = lines.Where(l => Kind(l) == "issue-at-8").ToList();
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
        foreach (var line in baseline.Concat(issue).Concat(atOne).Concat(atEight).Concat(sweep).Concat(revoke).Concat(pgIssue).Concat(pgRevoke).Concat(pgCreate).Concat(pgDrop).Concat(pgStore.All).OrderBy(l => Kind(l)).ThenBy(l => (int)l["round"]!))
        {
            Console.WriteLine("  " + line.ToJsonString());
        }

        Console.WriteLine();
        Console.WriteLine($"Date: {args.OptionalText("date") ?? "unknown"}");
        Console.WriteLine($"Machine: {machine["nproc"]} cores ({machine["cpu"]}), {machine["memory_gib"]} GiB, {machine["filesystem"]}, {machine["kernel"]}, .NET {machine["dotnet"]}; load average before: {machine["loadavg_before"]}");
        Console.WriteLine(Invariant($"Medians of {issue.Count} rounds, {args.WholeNumber("concurrency", 32)} clients, {args.Number("seconds", 10)} s each:"));
        Console.WriteLine(Invariant($"  bare Kestrel POST   {baselinePerS,9:F1} /s   p50 {Median(baseline, "p50_ms"),6:F2} ms   p99 {Median(baseline, "p99_ms"),6:F2} ms   server CPU {MedianOrNull(baseline, "server_cpu_us_per_request"),5:F0} us/request"));
        Console.WriteLine(Invariant($"  lease issuance      {issuePerS,9:F1} /s   p50 {Median(issue, "p50_ms"),6:F2} ms   p99 {p99,6:F2} ms   server CPU {MedianOrNull(issue, "server_cpu_us_per_request"),5:F0} us/lease   ({ratio:P1} of bare)"));
        foreach (var (clients, rounds) in new[] { (1, atOne), (8, atEight) }.Where(r => r.Item2.Count > 0))
        {
            Console.WriteLine(Invariant($"  lease issuance, {clients,2} client(s) {Median(rounds, "per_s"),6:F1} /s   p50 {Median(rounds, "p50_ms"),6:F2} ms   p99 {Median(rounds, "p99_ms"),6:F2} ms   server CPU {MedianOrNull(rounds, "server_cpu_us_per_request"),5:F0} us/lease"));
        }

        Console.WriteLine(Invariant($"  sweep of {(int)sweep[0]["leases"]!} expired leases: {Median(sweep, "seconds"):F2} s"));
        if (revoke.Count > 0)
        {
            Console.WriteLine(Invariant($"  revocation of {(int)revoke[0]["leases"]!} live leases of one identity (broker side): {Median(revoke, "seconds"):F3} s"));
        }

        if (pgIssue.Count > 0 && pgRevoke.Count > 0 && pgCreate.Count > 0 && pgDrop.Count > 0)
        {
            Console.WriteLine(Invariant($"PostgreSQL leases, medians of {pgIssue.Count} rounds, {args.WholeNumber("concurrency", 32)} clients, {(double)pgIssue[0]["seconds"]!} s each:"));
            Console.WriteLine(Invariant($"  bare CREATE ROLE    {Median(pgCreate, "per_s"),9:F1} /s   p50 {Median(pgCreate, "p50_ms"),6:F2} ms   p99 {Median(pgCreate, "p99_ms"),6:F2} ms"));
            Console.WriteLine(Invariant($"  lease issuance      {Median(pgIssue, "per_s"),9:F1} /s   p50 {Median(pgIssue, "p50_ms"),6:F2} ms   p99 {Median(pgIssue, "p99_ms"),6:F2} ms   server CPU {MedianOrNull(pgIssue, "server_cpu_us_per_request"),5:F0} us/lease"));
            Console.WriteLine(Invariant($"  bare DROP ROLE      {Median(pgDrop, "per_s"),9:F1} /s   p50 {Median(pgDrop, "p50_ms"),6:F2} ms   p99 {Median(pgDrop, "p99_ms"),6:F2} ms"));
            Console.WriteLine(Invariant($"  revocation          {Median(pgRevoke, "per_s"),9:F1} /s   (DELETE to role dropped by the broker's revoker; DELETE answers {Median(pgRevoke, "delete_per_s"):F1} /s, p99 {Median(pgRevoke, "delete_p99_ms"):F2} ms)"));
        }

        pgStore.Print(args.WholeNumber("concurrency", 32));

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
            ["p99_ms_at_1"] = MedianOrNull(atOne, "p99_ms"),
            ["p99_ms_at_8"] = MedianOrNull(atEight, "p99_ms"),
            ["issue_per_s_at_1"] = MedianOrNull(atOne, "per_s"),
            ["issue_per_s_at_8"] = MedianOrNull(atEight, "per_s"),
            ["baseline_cpu_us_per_request"] = MedianOrNull(baseline, "server_cpu_us_per_request"),
            ["aim_met"] = met,
            ["pg_issue_per_s"] = MedianOrNull(pgIssue, "per_s"),
            ["pg_issue_p99_ms"] = MedianOrNull(pgIssue, "p99_ms"),
            ["pg_issue_cpu_us_per_lease"] = MedianOrNull(pgIssue, "server_cpu_us_per_request"),
            ["pg_revoke_per_s"] = MedianOrNull(pgRevoke, "per_s"),
            ["pg_bare_create_per_s"] = MedianOrNull(pgCreate, "per_s"),
            ["pg_bare_drop_per_s"] = MedianOrNull(pgDrop, "per_s"),
            ["pg_bare_create_p99_ms"] = MedianOrNull(pgCreate, "p99_ms"),
            ["pg_revoke_delete_p99_ms"] = MedianOrNull(pgRevoke, "delete_p99_ms"),
            ["pg_revoked_leases"] = pgRevoke.Sum(l => (long)l["leases"]!),
            ["pg_all_revoked"] = pgRevoke.Count == 0 ? null : pgRevoke.All(l => (bool)l["all_revoked"]!),
            ["pg_errors"] = pgIssue.Concat(pgRevoke).Concat(pgCreate).Concat(pgDrop).Sum(l => (long)l["errors"]!),
        };
        // The PostgreSQL store's figures next to the PostgreSQL ones, before the run's description.
        pgStore.AddTo(summary);
        summary["errors"] = issue.Concat(baseline).Sum(l => (long)l["errors"]!);
        summary["rounds"] = issue.Count;
        summary["concurrency"] = args.WholeNumber("concurrency", 32);
        summary["seconds"] = args.Number("seconds", 10);
        summary["sweep_leases"] = (int)sweep[0]["leases"]!;
        summary["machine"] = machine;
        summary["date"] = args.OptionalText("date");

        Console.WriteLine(summary.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return 0;
    }

    private static string? Kind(JsonObject line) => (string?)line["kind"];

    internal static double Median(List<JsonObject> rounds, string field)
    {
        var values = rounds.Select(r => (double)r[field]!).Order().ToList();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : Math.Round((values[mid - 1] + values[mid]) / 2, 3);
    }

    internal static double? MedianOrNull(List<JsonObject> rounds, string field)
    {
        var measured = rounds.Where(r => r[field] is not null).ToList();
        return measured.Count == 0 ? null : Median(measured, field);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
