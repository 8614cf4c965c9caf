using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Sqlite;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>revoke</c>: a fresh SQLite file (the broker's migrations, WAL, synchronous=FULL) holding
/// <c>--leases</c> live leases of one stolen identity beside as many of other identities, then the
/// broker-side part of <c>POST /v1/identities/revoke</c> with a block, timed from the call to its durable
/// commit: one indexed UPDATE to revoking, the revocation, the block rule and the audit event, through
/// the group-commit writer. The downstream clean-up is not part of this figure (the sweep measures it).
/// </summary>
internal static class RevokeIdentityRun
{
    private const string Stolen = "repo:acme/stolen:environment:production";

    // The shape of the ids the broker gives revocations ("rev_" and 24 hex characters): every revoked row stores one.
    private static readonly string RevocationId = "rev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var dir = Path.Combine(args.Text("dir"), "revoke-" + args.WholeNumber("round", 1).ToString(CultureInfo.InvariantCulture));
        var leases = args.WholeNumber("leases", 100_000);
        Directory.CreateDirectory(dir);
        DapperSetup.Register();

        var now = SystemClock.Instance.GetCurrentInstant();
        var db = new SqliteDatabase(Path.Combine(dir, "broker.db"));
        await SqliteMigrator.MigrateAsync(db, CancellationToken.None);
        await FillAsync(db, leases, now);

        var appender = new SqliteAuditAppender(new AuditChain(MasterKey.Generate()));
        await using var writes = new SqliteGroupCommit(db);
        var store = new SqliteIdentityStore(db, writes, appender);
        var leaseStore = new SqliteLeaseStore(db, writes, appender);
        var target = new IdentityTarget("github", Stolen, null, null);
        var record = new AuditRecord(now, AuditContext.System, AuditActions.IdentityRevoke, target.Describe, AuditDecision.Allowed, "bench");

        var started = Stopwatch.GetTimestamp();
        var revocation = new IdentityRevocation(RevocationId, target, "bench", new BlockRule(target, "bench", RevocationId, now), RevokeReasons.IdentityRevoked, now);
        var revoked = await store.RevokeAsync(revocation, record.WithLeaseCount, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var states = await leaseStore.CountByStateAsync(CancellationToken.None);
        var allRevoked = revoked == leases && states.GetValueOrDefault(LeaseState.Revoking) == leases && states.GetValueOrDefault(LeaseState.Active) == leases;
        var result = new RevokeIdentityResult("revoke", args.WholeNumber("round", 1), leases, Math.Round(elapsed.TotalSeconds, 3), revoked, allRevoked);
        await File.AppendAllTextAsync(args.Text("out"), result.ToJsonLine() + "\n");
        Console.WriteLine(result.Describe());

        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
        return allRevoked ? 0 : 1;
    }

    /// <summary>
    /// <paramref name="leases"/> active leases of the stolen identity over 100 runs, interleaved with as
    /// many of 100 other identities, each with a credential ciphertext of a sealed JWT's size beside it
    /// (which the clean-up erases, after this figure) and pointing at its run's claim set, as issued
    /// leases do. Written in one transaction and checkpointed before the timed part.
    /// </summary>
    private static async Task FillAsync(SqliteDatabase db, int leases, Instant now)
    {
        await using var c = await db.OpenAsync(CancellationToken.None);
        await using (var tx = c.BeginTransaction())
        {
            await using (var claimSets = c.CreateCommand())
            {
                claimSets.Transaction = tx;
                claimSets.CommandText = """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199)
                    INSERT INTO workload_claims (id, digest, issuer, claims)
                    SELECT i + 1, 'bench-' || i, 'github', '{"repository":"acme/app-' || i || '","run_id":"9000' || i || '"}' FROM n
                    """;
                await claimSets.ExecuteNonQueryAsync();
            }

            await using var insert = c.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO lease (id, role, provider, secret, handle, issuer, subject, run_id, job_id, step, purpose, rule, state,
                                   issued_at, expires_at, max_expires_at, renewable, claims_id)
                VALUES ($id, 'deploy-api', 'jwt', $secret, $id, 'github', $subject, $run, $run, $step, 'bench', 'app-pipelines', 'active',
                        $issued, $expires, $max, 1, $claims);
                INSERT INTO lease_credential (lease_id, ciphertext) VALUES ($id, $credential)
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            insert.Parameters.AddWithValue("$secret", LeasingBroker.SigningKey);
            var subject = insert.Parameters.Add("$subject", SqliteType.Text);
            var run = insert.Parameters.Add("$run", SqliteType.Text);
            var step = insert.Parameters.Add("$step", SqliteType.Text);
            insert.Parameters.AddWithValue("$issued", now.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$expires", (now + Duration.FromHours(1)).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$max", (now + Duration.FromHours(2)).ToUnixTimeMilliseconds());
            var credential = insert.Parameters.Add("$credential", SqliteType.Text);
            var claims = insert.Parameters.Add("$claims", SqliteType.Integer);
            insert.Prepare();

            for (var i = 0; i < leases * 2; i++)
            {
                var mine = i % 2 == 0;
                id.Value = LeaseId.New(now + Duration.FromMilliseconds(i / 10));
                subject.Value = mine ? Stolen : $"repo:acme/app-{i % 100}:environment:production";
                run.Value = $"9000{i % 100:D6}";
                step.Value = $"s{i}";
                claims.Value = (i % 2 * 100) + (i % 100) + 1;
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

/// <summary>One revocation round: the time until the one statement and its block rule were durably committed.</summary>
internal sealed record RevokeIdentityResult(string Kind, int Round, int Leases, double Seconds, long Revoked, bool AllRevoked)
{
    public string ToJsonLine() => System.Text.Json.JsonSerializer.Serialize(this, BenchJson.Lines);

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Kind,-8} round {Round}: {Leases} live leases of one identity dead at the broker in {Seconds:F3} s{(AllRevoked ? "" : "  NOT ALL REVOKED")}");
}
