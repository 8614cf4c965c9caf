using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using SecretsBroker.Providers.Postgres;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>pg-bare</c>: the yardstick for PostgreSQL leases. <c>--concurrency</c> loops, each on an admin
/// session of its own to the same cluster, run the provider's bare statement, <c>CREATE ROLE … LOGIN
/// PASSWORD '&lt;SCRAM verifier&gt;' VALID UNTIL …</c>, one new role after another for <c>--warmup</c>
/// seconds unrecorded and <c>--seconds</c> recorded; then every role made is dropped (<c>DROP ROLE</c>)
/// by the same loops, timed from the first drop to the last. No broker, no grants, no transaction
/// around it, and one verifier computed ahead: what PostgreSQL itself costs.
/// </summary>
internal static class PostgresBareRun
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var pg = await PostgresTarget.ReadAsync(args.Text("pg"));
        var round = args.WholeNumber("round", 1);
        var concurrency = args.WholeNumber("concurrency", 32);
        var seconds = args.Number("seconds", 10);
        var warmup = args.Number("warmup", 2);

        var verifier = ScramVerifier.For(RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 40));
        var until = InstantPattern.General.Format(SystemClock.Instance.GetCurrentInstant() + Duration.FromMinutes(10));
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds + 120));
        var sessions = new NpgsqlConnection[concurrency];
        try
        {
            for (var i = 0; i < concurrency; i++)
            {
                sessions[i] = new NpgsqlConnection(pg.ConnectionString());
                await sessions[i].OpenAsync(deadline.Token);
            }

            var made = new ConcurrentQueue<string>();
            var begin = Stopwatch.GetTimestamp();
            var measureFrom = begin + (long)(warmup * Stopwatch.Frequency);
            var measureTo = measureFrom + (long)(seconds * Stopwatch.Frequency);
            var counter = 0L;
            var creates = await Task.WhenAll(sessions.Select(session => Task.Run(async () =>
            {
                var tally = new LoopTally();
                while (!deadline.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    if (start >= measureTo)
                    {
                        break;
                    }

                    var name = $"bench_bare_{tag}_{Interlocked.Increment(ref counter)}";
                    var (ok, problem) = await TryAsync(session, $"CREATE ROLE {PostgresIdentifier.Quote(name)} LOGIN PASSWORD '{verifier}' VALID UNTIL '{until}'", deadline.Token);
                    if (ok)
                    {
                        made.Enqueue(name);
                    }

                    var end = Stopwatch.GetTimestamp();
                    if (start >= measureFrom && end <= measureTo)
                    {
                        tally.Record(ok, end - start, ok ? HttpStatusCode.OK : 0, problem);
                    }
                }

                return tally;
            })));
            var create = LoadResult.From("pg-bare-create", round, concurrency, seconds, creates, null);

            var dropStarted = Stopwatch.GetTimestamp();
            var drops = await Task.WhenAll(sessions.Select(session => Task.Run(async () =>
            {
                var tally = new LoopTally();
                while (made.TryDequeue(out var name))
                {
                    var start = Stopwatch.GetTimestamp();
                    var (ok, problem) = await TryAsync(session, $"DROP ROLE {PostgresIdentifier.Quote(name)}", deadline.Token);
                    tally.Record(ok, Stopwatch.GetTimestamp() - start, ok ? HttpStatusCode.OK : 0, problem);
                }

                return tally;
            })));
            var drop = LoadResult.From("pg-bare-drop", round, concurrency, Stopwatch.GetElapsedTime(dropStarted).TotalSeconds, drops, null);

            await File.AppendAllTextAsync(args.Text("out"), create.ToJsonLine() + "\n" + drop.ToJsonLine() + "\n");
            Console.WriteLine(create.Describe());
            Console.WriteLine(drop.Describe());
            return 0;
        }
        finally
        {
            foreach (var session in sessions.Where(s => s is not null))
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>One statement; a PostgreSQL error is a failed request counted by its SQLSTATE, not the end of the run.</summary>
    private static async Task<(bool Ok, string? Problem)> TryAsync(NpgsqlConnection session, string sql, CancellationToken ct)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, session);
            await command.ExecuteNonQueryAsync(ct);
            return (true, null);
        }
        catch (PostgresException e)
        {
            return (false, e.SqlState);
        }
    }
}
