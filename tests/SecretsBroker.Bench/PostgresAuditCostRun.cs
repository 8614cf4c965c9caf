using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>pgstore-audit</c>: what the one audit chain costs on the PostgreSQL store. Every audited change
/// appends through <see cref="PostgresAuditAppender"/>, which locks the one <c>audit_head</c> row until
/// the transaction commits, so audited transactions from every node take turns, their commits (a WAL
/// flush each on the durable store cluster) included. For each of <c>--writers</c> (1,8,32) that many
/// writers, each on a session of its own, run transactions writing a lease row and its credential
/// (the shape of an issuance) for <c>--warmup</c> s unrecorded and <c>--seconds</c> s recorded: first
/// without an audit event (kind <c>pgstore-plain-tx</c>), then the same with one event appended last
/// through the real appender, as the stores do (kind <c>pgstore-audit-tx</c>). A fresh store (<c>--store</c>).
/// </summary>
internal static class PostgresAuditCostRun
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var round = args.WholeNumber("round", 1);
        var seconds = args.Number("seconds", 3);
        var warmup = args.Number("warmup", 1);
        var writerCounts = (args.OptionalText("writers") ?? "1,8,32").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToList();
        var files = await BrokerStoreFiles.ReadAsync(args.Text("dir"), args.WholeNumber("store", 1));
        DapperSetup.Register();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(writerCounts.Count * 2 * (warmup + seconds + 30) + 60));

        await using var db = files.Open();
        await PostgresMigrator.MigrateAsync(db, deadline.Token);
        var appender = new PostgresAuditAppender(new AuditChain(MasterKey.Generate()));
        // One claim set, as every lease of a job points at its job's set.
        await using (var c = await db.OpenAsync(deadline.Token))
        {
            await StoreLeaseRows.CopyClaimSetsAsync(c, 1, deadline.Token);
        }

        var results = new List<LoadResult>();
        foreach (var writers in writerCounts)
        {
            foreach (var audited in (bool[])[false, true])
            {
                var tallies = await RunPointAsync(db, audited ? appender : null, writers, warmup, seconds, deadline.Token);
                var result = LoadResult.From(audited ? "pgstore-audit-tx" : "pgstore-plain-tx", round, writers, seconds, tallies, null);
                results.Add(result);
                Console.WriteLine(result.Describe());
            }
        }

        await File.AppendAllLinesAsync(args.Text("out"), results.Select(r => r.ToJsonLine()));
        await using (var c = await db.OpenAsync(deadline.Token))
        {
            await c.ExecuteAsync(new CommandDefinition($"DROP SCHEMA {db.Schema} CASCADE", cancellationToken: deadline.Token));
        }

        return results.All(r => r.Errors == 0) ? 0 : 1;
    }

    /// <summary><paramref name="writers"/> loops, each on its own session, one transaction after another.</summary>
    private static async Task<LoopTally[]> RunPointAsync(PostgresDatabase db, PostgresAuditAppender? appender, int writers, double warmup, double seconds, CancellationToken ct)
    {
        var sessions = new NpgsqlConnection[writers];
        try
        {
            for (var i = 0; i < writers; i++)
            {
                sessions[i] = await db.OpenAsync(ct);
            }

            var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup * Stopwatch.Frequency);
            var measureTo = measureFrom + (long)(seconds * Stopwatch.Frequency);
            return await Task.WhenAll(sessions.Select((session, writer) => Task.Run(async () =>
            {
                var tally = new LoopTally();
                var n = 0;
                while (!ct.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    if (start >= measureTo)
                    {
                        break;
                    }

                    string? problem = null;
                    try
                    {
                        await WriteLeaseAsync(session, appender, writer, n++, ct);
                    }
                    catch (PostgresException e)
                    {
                        problem = e.SqlState;
                    }

                    var end = Stopwatch.GetTimestamp();
                    if (start >= measureFrom && end <= measureTo)
                    {
                        tally.Record(problem is null, end - start, problem is null ? HttpStatusCode.OK : 0, problem);
                    }
                }

                return tally;
            })));
        }
        finally
        {
            foreach (var session in sessions.Where(s => s is not null))
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One issuance's writes: the lease row and its credential in one command, then (when audited)
    /// the lease.issue event, appended last as the stores append, then the commit.
    /// </summary>
    private static async Task WriteLeaseAsync(NpgsqlConnection c, PostgresAuditAppender? appender, int writer, int n, CancellationToken ct)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        var id = LeaseId.New(now);
        var run = $"9000{writer:D6}";
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlCommand(StoreLeaseRows.Insert, c, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Text) { Value = id });
            insert.Parameters.Add(new NpgsqlParameter("secret", NpgsqlDbType.Text) { Value = LeasingBroker.SigningKey });
            insert.Parameters.Add(new NpgsqlParameter("subject", NpgsqlDbType.Text) { Value = $"repo:acme/app:environment:production:{writer}" });
            insert.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Text) { Value = run });
            insert.Parameters.Add(new NpgsqlParameter("step", NpgsqlDbType.Text) { Value = $"s{writer}-{n}" });
            insert.Parameters.Add(new NpgsqlParameter("issued", NpgsqlDbType.Bigint) { Value = now.ToUnixTimeMilliseconds() });
            insert.Parameters.Add(new NpgsqlParameter("expires", NpgsqlDbType.Bigint) { Value = (now + Duration.FromMinutes(10)).ToUnixTimeMilliseconds() });
            insert.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Bigint) { Value = (now + Duration.FromHours(1)).ToUnixTimeMilliseconds() });
            insert.Parameters.Add(new NpgsqlParameter("claims", NpgsqlDbType.Bigint) { Value = 1L });
            insert.Parameters.Add(new NpgsqlParameter("credential", NpgsqlDbType.Text) { Value = StoreLeaseRows.Credential() });
            await insert.ExecuteNonQueryAsync(ct);
        }

        if (appender is not null)
        {
            var context = new AuditContext($"workload:github:repo:acme/app:run:{run}", $"req-{writer}-{n}", "127.0.0.1", "secretsbroker-cli/1.0");
            var record = new AuditRecord(now, context, AuditActions.LeaseIssue, $"lease:{id} role deploy-api run {run} step s{writer}-{n}", AuditDecision.Allowed, "rule app-pipelines; ttl 600s");
            await appender.AppendAsync(c, tx, record, ct);
        }

        await tx.CommitAsync(ct);
    }
}
