using System.Globalization;
using System.Text.Json.Nodes;

namespace SecretsBroker.Bench;

/// <summary>
/// The broker on its PostgreSQL store, in <c>report</c>: JWT issuance on one node and on two nodes
/// over one store (each round's two halves summed), identity revocation of 100k live leases, and the
/// audit chain's cost (transactions per second with and without the append, per number of writers).
/// </summary>
internal sealed class PostgresStoreReport
{
    private const int WritersCompared = 32;

    private readonly List<JsonObject> issue;
    private readonly List<JsonObject> twoNodes;
    private readonly List<JsonObject> revoke;
    private readonly List<JsonObject> plain;
    private readonly List<JsonObject> audited;

    public PostgresStoreReport(IReadOnlyList<JsonObject> lines)
    {
        issue = Of(lines, "pgstore-issue");
        revoke = Of(lines, "pgstore-revoke");
        plain = Of(lines, "pgstore-plain-tx");
        audited = Of(lines, "pgstore-audit-tx");
        // One figure per round: what both nodes answered in the same window, and the worse p99 of the two.
        twoNodes = Of(lines, "pgstore-2node-1").Concat(Of(lines, "pgstore-2node-2"))
            .GroupBy(l => (int)l["round"]!)
            .Where(g => g.Count() == 2)
            .Select(g => new JsonObject
            {
                ["round"] = g.Key,
                ["per_s"] = Math.Round(g.Sum(l => (double)l["per_s"]!), 1),
                ["p99_ms"] = g.Max(l => (double)l["p99_ms"]!),
                ["errors"] = g.Sum(l => (long)l["errors"]!),
            })
            .ToList();
        All = issue.Concat(Of(lines, "pgstore-2node-1")).Concat(Of(lines, "pgstore-2node-2")).Concat(revoke).Concat(plain).Concat(audited).ToList();
    }

    /// <summary>Every round these figures come from, for the report's list of all rounds.</summary>
    public IReadOnlyList<JsonObject> All { get; }

    private double? AuditAt32 => MedianAt(audited, WritersCompared);

    private double? PlainAt32 => MedianAt(plain, WritersCompared);

    /// <summary>How many times as many plain transactions as audited ones commit per second at 32 writers.</summary>
    private double? CostRatio => AuditAt32 is > 0 && PlainAt32 is { } p ? Math.Round(p / AuditAt32.Value, 2) : null;

    public void Print(int concurrency)
    {
        if (issue.Count == 0 && revoke.Count == 0 && plain.Count == 0)
        {
            return;
        }

        Console.WriteLine(Invariant($"Broker on its PostgreSQL store (separate cluster, fsync and synchronous_commit on), medians of {issue.Count} rounds, {concurrency} clients, {(issue.Count > 0 ? (double)issue[0]["seconds"]! : 0)} s each:"));
        if (issue.Count > 0)
        {
            Console.WriteLine(Invariant($"  lease issuance, 1 node   {BenchReport.Median(issue, "per_s"),9:F1} /s   p50 {BenchReport.Median(issue, "p50_ms"),6:F2} ms   p99 {BenchReport.Median(issue, "p99_ms"),6:F2} ms   server CPU {BenchReport.MedianOrNull(issue, "server_cpu_us_per_request"),5:F0} us/lease"));
        }

        if (twoNodes.Count > 0)
        {
            Console.WriteLine(Invariant($"  lease issuance, 2 nodes  {BenchReport.Median(twoNodes, "per_s"),9:F1} /s   (half the clients on each, summed; worse p99 {BenchReport.Median(twoNodes, "p99_ms"),6:F2} ms)"));
        }

        if (revoke.Count > 0)
        {
            Console.WriteLine(Invariant($"  revocation of {(int)revoke[0]["leases"]!} live leases of one identity (broker side): {BenchReport.Median(revoke, "seconds"):F3} s"));
        }

        if (plain.Count > 0 && audited.Count > 0)
        {
            Console.WriteLine("  audit chain: transactions writing a lease row and its credential, committed per second, without / with one audit event each:");
            foreach (var writers in plain.Select(l => (int)l["concurrency"]!).Distinct().Order())
            {
                var without = MedianAt(plain, writers);
                var with = MedianAt(audited, writers);
                var p99 = BenchReport.Median(audited.Where(l => (int)l["concurrency"]! == writers).ToList(), "p99_ms");
                Console.WriteLine(Invariant($"    {writers,2} writers  {without,9:F1} /s  /  {with,9:F1} /s   (audited p99 {p99,6:F2} ms; {without / with:F2}x)"));
            }
        }
    }

    public void AddTo(JsonObject summary)
    {
        summary["pgstore_issue_per_s"] = BenchReport.MedianOrNull(issue, "per_s");
        summary["pgstore_issue_p99_ms"] = BenchReport.MedianOrNull(issue, "p99_ms");
        summary["pgstore_issue_cpu_us_per_lease"] = BenchReport.MedianOrNull(issue, "server_cpu_us_per_request");
        summary["pgstore_2node_issue_per_s"] = BenchReport.MedianOrNull(twoNodes, "per_s");
        summary["pgstore_2node_issue_p99_ms"] = BenchReport.MedianOrNull(twoNodes, "p99_ms");
        summary["pgstore_revoke_identity_100k_s"] = BenchReport.MedianOrNull(revoke, "seconds");
        summary["pgstore_audit_tx_per_s_at_32"] = AuditAt32;
        summary["pgstore_plain_tx_per_s_at_32"] = PlainAt32;
        summary["pgstore_audit_cost_ratio"] = CostRatio;
        summary["pgstore_errors"] = issue.Concat(twoNodes).Concat(plain).Concat(audited).Sum(l => (long)l["errors"]!);
    }

    private static List<JsonObject> Of(IReadOnlyList<JsonObject> lines, string kind) => lines.Where(l => (string?)l["kind"] == kind).ToList();

    private static double? MedianAt(List<JsonObject> rounds, int writers) =>
        BenchReport.MedianOrNull(rounds.Where(l => (int)l["concurrency"]! == writers).ToList(), "per_s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
