using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>pg-revoke</c>: every PostgreSQL lease a <c>pg-issue</c> load kept (<c>--leases</c>) is revoked
/// with <c>DELETE /v1/leases/{id}</c> as the operator, <c>--concurrency</c> at a time, and the clock
/// runs until the broker's own revoker (its sweep job, every <c>Leases:SweepIntervalMilliseconds</c>)
/// has dropped every one of those roles in PostgreSQL: the rate is leases over that time, from the
/// first DELETE. Then every lease must read <c>revoked</c> at the broker (bounded wait).
/// </summary>
internal static class PostgresRevokeRun
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Text("url"));
        var admin = Environment.GetEnvironmentVariable(BrokerProvisioning.AdminTokenVariable)
            ?? throw new BenchArgs.MissingArgumentException($"{BrokerProvisioning.AdminTokenVariable} is not set");
        var leases = await IssuedLease.ReadAsync(args.Text("leases"));
        var pg = await PostgresTarget.ReadAsync(args.Text("pg"));
        var concurrency = args.WholeNumber("concurrency", 32);
        var round = args.WholeNumber("round", 1);

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.WholeNumber("max-seconds", 120)));
        await using var db = new NpgsqlConnection(pg.ConnectionString());
        await db.OpenAsync(deadline.Token);
        var names = leases.Select(l => l.Username).ToArray();

        var started = Stopwatch.GetTimestamp();
        var next = -1;
        var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var tally = new LoopTally();
            int i;
            while ((i = Interlocked.Increment(ref next)) < leases.Count && !deadline.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                HttpStatusCode status;
                string? problem = null;
                try
                {
                    using var response = await http.DeleteAsync(new Uri($"{Routes.Leases}/{leases[i].Id}", UriKind.Relative), deadline.Token);
                    status = response.StatusCode;
                    if (status != HttpStatusCode.OK)
                    {
                        var body = await response.Content.ReadAsStringAsync(deadline.Token);
                        problem = body.Length > 300 ? body[..300] : body;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                    problem = e.GetType().Name;
                }

                tally.Record(status == HttpStatusCode.OK, Stopwatch.GetTimestamp() - start, status, problem);
            }

            return tally;
        })).ToList();
        var tallies = await Task.WhenAll(loops);
        var deleted = Stopwatch.GetElapsedTime(started);

        // Downstream: the roles themselves, counted in pg_roles until none is left.
        long left;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = ANY(@names)", db))
        {
            count.Parameters.AddWithValue("names", names);
            while ((left = (long)(await count.ExecuteScalarAsync(CancellationToken.None))!) > 0 && await PauseAsync(deadline.Token))
            {
            }
        }

        var dropped = Stopwatch.GetElapsedTime(started);
        var unrevoked = await UnrevokedAsync(http, leases, concurrency, deadline.Token);
        var recorded = Stopwatch.GetElapsedTime(started);

        var deletes = LoadResult.From("pg-delete", round, concurrency, deleted.TotalSeconds, tallies, null);
        var result = new RevokeResult(
            "pg-revoke",
            round,
            concurrency,
            leases.Count,
            Math.Round(dropped.TotalSeconds, 3),
            leases.Count == 0 ? 0 : Math.Round(leases.Count / dropped.TotalSeconds, 1),
            Math.Round(deleted.TotalSeconds, 3),
            deletes.PerS,
            deletes.P99Ms,
            deletes.Errors,
            Math.Round(recorded.TotalSeconds, 3),
            left,
            unrevoked,
            left == 0 && unrevoked == 0 && deletes.Errors == 0,
            deletes.FirstError);
        await File.AppendAllTextAsync(args.Text("out"), JsonSerializer.Serialize(result, BenchJson.Lines) + "\n");
        Console.WriteLine(result.Describe());
        return 0;
    }

    /// <summary>Reads every lease back (as the operator) until each one is <c>revoked</c>; returns how many never were.</summary>
    private static async Task<int> UnrevokedAsync(HttpClient http, IReadOnlyList<IssuedLease> leases, int concurrency, CancellationToken ct)
    {
        var pending = leases.Select(l => l.Id).ToList();
        while (pending.Count > 0 && !ct.IsCancellationRequested)
        {
            var states = new string?[pending.Count];
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, pending.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
                {
                    var lease = await http.GetFromJsonAsync<LeaseInfo>(new Uri($"{Routes.Leases}/{pending[i]}", UriKind.Relative), BenchJson.Web, token);
                    states[i] = lease?.State;
                });
            }
            catch (OperationCanceledException)
            {
                break;
            }

            pending = pending.Where((_, i) => states[i] != "revoked").ToList();
            if (pending.Count > 0 && !await PauseAsync(ct))
            {
                break;
            }
        }

        return pending.Count;
    }

    /// <summary>Waits one poll interval; false once the run's time is up.</summary>
    private static async Task<bool> PauseAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Poll, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>
/// One pg-revoke round: <see cref="PerS"/> is leases revoked per second, from the first DELETE until
/// the last role was gone from PostgreSQL; the DELETE answers alone, and the time until the broker
/// read every lease back as revoked, are beside it.
/// </summary>
internal sealed record RevokeResult(
    string Kind,
    int Round,
    int Concurrency,
    int Leases,
    double Seconds,
    double PerS,
    double DeleteSeconds,
    double DeletePerS,
    double DeleteP99Ms,
    long Errors,
    double RecordedSeconds,
    long RolesLeft,
    int NotRevoked,
    bool AllRevoked,
    string? FirstError)
{
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"pg-revoke round {Round}: {Leases} leases, roles dropped in {Seconds:F2} s ({PerS:F1} /s; DELETE answers {DeletePerS:F1} /s, p99 {DeleteP99Ms:F2} ms; all read revoked at {RecordedSeconds:F2} s){(AllRevoked ? "" : $"  NOT ALL REVOKED ({RolesLeft} roles left, {NotRevoked} leases not revoked, {Errors} errors{(FirstError is null ? "" : ": " + FirstError)})")}");
}
