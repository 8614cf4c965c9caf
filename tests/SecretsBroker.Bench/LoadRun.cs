using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>load</c>: <c>--concurrency</c> loops, each sending one request at a time with its own CI token
/// over a shared pool of keep-alive connections (one per loop), for <c>--warmup</c> seconds unrecorded
/// and then <c>--seconds</c> recorded. A request counts when it started and finished inside the
/// recorded window and got <c>--expect</c> (201: a new lease). Every request names a new step
/// (<c>s&lt;tag&gt;-&lt;n&gt;</c>, allowed by the policy's <c>s*</c>), so each one mints a lease instead
/// of getting a recent one back through the reuse window. <c>--role</c> picks the policy role (the
/// JWT one by default); <c>--ids-out</c> keeps every lease issued (id and credential username), so
/// <c>pg-revoke</c> can revoke them. <c>--client-offset</c> starts the loops at that client of the
/// tokens file, so two loads split one set of clients between two nodes.
/// </summary>
internal static class LoadRun
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Text("url"));
        var kind = args.Text("kind");
        var round = args.WholeNumber("round", 1);
        var concurrency = args.WholeNumber("concurrency", 32);
        var seconds = args.Number("seconds", 10);
        var warmup = args.Number("warmup", 2);
        var expect = (HttpStatusCode)args.WholeNumber("expect", 201);
        var tokens = await BenchToken.ReadAsync(args.Text("tokens"));
        var role = args.OptionalText("role") ?? LeasingBroker.Role;
        var idsOut = args.OptionalText("ids-out");
        var clientOffset = args.WholeNumber("client-offset", 0);
        var issued = new System.Collections.Concurrent.ConcurrentQueue<string>();

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        // Bounds the whole run even if the server stops answering.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds + 60));
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var begin = Stopwatch.GetTimestamp();
        var measureFrom = begin + (long)(warmup * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(seconds * Stopwatch.Frequency);
        var counter = 0L;

        // The server's own CPU time over exactly the recorded window, when bench.sh names its process.
        var serverCpu = args.OptionalText("server-pid") is { } pid
            ? ServerCpu.OverWindowAsync(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), measureFrom, measureTo, deadline.Token)
            : Task.FromResult<TimeSpan?>(null);
        var loops = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
        {
            var tally = new LoopTally();
            var client = tokens[(clientOffset + i) % tokens.Count];
            while (!deadline.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= measureTo)
                {
                    break;
                }

                var step = $"s{tag}-{Interlocked.Increment(ref counter)}";
                HttpStatusCode status;
                string? problem = null;
                try
                {
                    using var request = LeaseRequests.Build(url, client, step, role);
                    using var response = await http.SendAsync(request, deadline.Token);
                    status = response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(deadline.Token);
                    if (status != expect)
                    {
                        problem = body.Length > 300 ? body[..300] : body;
                    }
                    else if (idsOut is not null)
                    {
                        issued.Enqueue(IssuedLease.Line(body));
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                    problem = e.GetType().Name;
                }

                var end = Stopwatch.GetTimestamp();
                if (start >= measureFrom && end <= measureTo)
                {
                    tally.Record(status == expect, end - start, status, problem);
                }
            }

            return tally;
        })).ToList();

        var tallies = await Task.WhenAll(loops);
        if (idsOut is not null)
        {
            await File.AppendAllLinesAsync(idsOut, issued);
        }

        var result = LoadResult.From(kind, round, concurrency, seconds, tallies, await serverCpu);
        await File.AppendAllTextAsync(args.Text("out"), result.ToJsonLine() + "\n");
        Console.WriteLine(result.Describe());
        // Refused requests are in the result (and the summary), not a failed run.
        return 0;
    }
}

/// <summary>What one loop saw in the recorded window: latencies of good answers, and the rest by status.</summary>
internal sealed class LoopTally
{
    public List<long> Latencies { get; } = new(capacity: 4096);

    public Dictionary<int, int> Failures { get; } = [];

    public string? FirstProblem { get; private set; }

    public void Record(bool ok, long elapsedTicks, HttpStatusCode status, string? problem)
    {
        if (ok)
        {
            Latencies.Add(elapsedTicks);
            return;
        }

        Failures[(int)status] = Failures.GetValueOrDefault((int)status) + 1;
        FirstProblem ??= problem;
    }
}
