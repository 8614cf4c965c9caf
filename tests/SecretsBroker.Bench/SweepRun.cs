using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Jobs;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Providers.Jwt;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Sqlite;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>sweep</c>: a fresh SQLite file (the broker's migrations, WAL, synchronous=FULL) holding
/// <c>--leases</c> active leases already past expiry, then the broker's own sweep job's work, timed
/// from the first statement to the last commit: <see cref="ExpirySweep"/> moves them to revoking in
/// batches over the expiry index, and <see cref="LeaseRevoker"/> runs the JWT provider's revoke (a
/// no-op downstream: introspection answers from the lease) and records each batch in one transaction.
/// </summary>
internal static class SweepRun
{
    private const int Runs = 100;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var dir = Path.Combine(args.Text("dir"), "sweep-" + args.WholeNumber("round", 1).ToString(CultureInfo.InvariantCulture));
        var leases = args.WholeNumber("leases", 100_000);
        Directory.CreateDirectory(dir);
        DapperSetup.Register();

        var clock = SystemClock.Instance;
        var db = new SqliteDatabase(Path.Combine(dir, "broker.db"));
        await SqliteMigrator.MigrateAsync(db, CancellationToken.None);
        await FillAsync(db, leases, clock.GetCurrentInstant());

        var appender = new SqliteAuditAppender(new AuditChain(MasterKey.Generate()));
        await using var writes = new SqliteGroupCommit(db);
        var store = new SqliteLeaseStore(db, writes, appender);
        var vault = new SecretVault(new SqliteSecretStore(db, appender), new EphemeralDataProtectionProvider(), clock, rotators: [], targetChecks: []);
        var providers = new ProviderRegistry([new JwtCredentialProvider(new SigningKeys(vault, clock), JwtSettings.Default)]);
        var sweep = new ExpirySweep(store, clock);
        var revoker = new LeaseRevoker(store, providers, RevocationBackoff.Default, IRevocationAttempts.None, clock);

        // The job's two steps, as LeaseJobs.SweepAsync runs them, until every lease is revoked (bounded).
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var started = Stopwatch.GetTimestamp();
        long expired = 0, revoked = 0, expireTicks = 0, revokeTicks = 0;
        while (revoked < leases && !limit.IsCancellationRequested)
        {
            var t0 = Stopwatch.GetTimestamp();
            expired += await sweep.RunAsync(limit.Token);
            var t1 = Stopwatch.GetTimestamp();
            revoked += await revoker.RunAsync(limit.Token);
            expireTicks += t1 - t0;
            revokeTicks += Stopwatch.GetTimestamp() - t1;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var states = await store.CountByStateAsync(CancellationToken.None);
        var allRevoked = states.GetValueOrDefault("revoked") == leases && states.Count == 1;
        var result = new SweepResult(
            "sweep",
            args.WholeNumber("round", 1),
            leases,
            Math.Round(elapsed.TotalSeconds, 3),
            Math.Round(expireTicks / (double)Stopwatch.Frequency, 3),
            Math.Round(revokeTicks / (double)Stopwatch.Frequency, 3),
            expired,
            revoked,
            allRevoked);
        await File.AppendAllTextAsync(args.Text("out"), result.ToJsonLine() + "\n");
        Console.WriteLine(result.Describe());

        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
        return allRevoked ? 0 : 1;
    }

    /// <summary>
    /// The leases as issuing would have left them: 100 runs, each lease with its own step and a
    /// credential ciphertext of a sealed JWT's size (which the clean-up erases and secure_delete
    /// zeroes), expired over the last hour. Written in one transaction and checkpointed, so the
    /// timed part starts from a quiet database.
    /// </summary>
    private static async Task FillAsync(SqliteDatabase db, int leases, Instant now)
    {
        await using var c = await db.OpenAsync(CancellationToken.None);
        await using (var tx = c.BeginTransaction())
        {
            await using var insert = c.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO lease (id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
                                   issued_at, expires_at, max_expires_at, renewable)
                VALUES ($id, 'deploy-api', 'jwt', $secret, $id, 'github', $subject, $run, $job, $step, 'bench', 'app-pipelines', 'active',
                        $issued, $expires, $max, 1);
                INSERT INTO lease_credential (lease_id, ciphertext) VALUES ($id, $credential)
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            insert.Parameters.AddWithValue("$secret", LeasingBroker.SigningKey);
            var subject = insert.Parameters.Add("$subject", SqliteType.Text);
            var run = insert.Parameters.Add("$run", SqliteType.Text);
            var job = insert.Parameters.Add("$job", SqliteType.Text);
            var step = insert.Parameters.Add("$step", SqliteType.Text);
            var issued = insert.Parameters.Add("$issued", SqliteType.Integer);
            var expires = insert.Parameters.Add("$expires", SqliteType.Integer);
            var max = insert.Parameters.Add("$max", SqliteType.Integer);
            var credential = insert.Parameters.Add("$credential", SqliteType.Text);
            insert.Prepare();

            var start = now - Duration.FromHours(2);
            for (var i = 0; i < leases; i++)
            {
                var r = i % Runs;
                var issuedAt = start + Duration.FromMilliseconds(i * 36L);
                id.Value = LeaseId.New(issuedAt);
                subject.Value = $"repo:acme/app-{r}:environment:production";
                run.Value = $"9000{r:D6}";
                job.Value = $"7000{r:D6}";
                step.Value = $"s{i}";
                issued.Value = issuedAt.ToUnixTimeMilliseconds();
                expires.Value = (issuedAt + Duration.FromMinutes(10)).ToUnixTimeMilliseconds();
                max.Value = (issuedAt + Duration.FromHours(1)).ToUnixTimeMilliseconds();
                credential.Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(600));
                await insert.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        await using var checkpoint = c.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync();
    }
}

/// <summary>One sweep round: the whole time, and its two steps (to revoking; revoked downstream and recorded).</summary>
internal sealed record SweepResult(string Kind, int Round, int Leases, double Seconds, double ExpireS, double RevokeS, long Expired, long Revoked, bool AllRevoked)
{
    public string ToJsonLine() => System.Text.Json.JsonSerializer.Serialize(this, BenchJson.Lines);

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"sweep    round {Round}: {Leases} expired leases revoked in {Seconds:F2} s (to revoking {ExpireS:F2} s, revoker {RevokeS:F2} s){(AllRevoked ? "" : "  NOT ALL REVOKED")}");
}
