using System.Diagnostics;
using System.Security.Cryptography;
using Dapper;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Storage;
using SecretsBroker.Storage.Postgres;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>pgstore-revoke</c>: <see cref="RevokeIdentityRun"/> on the PostgreSQL store. A fresh store of the
/// store cluster (<c>--store</c>, durable commits; the broker's migrations run as its own login) holding
/// <c>--leases</c> live leases of one stolen identity beside as many of other identities, then the
/// broker-side part of <c>POST /v1/identities/revoke</c> with a block through the real
/// <see cref="PostgresIdentityStore"/>, timed from the call to its commit: the one UPDATE to revoking,
/// the revocation, the block rule and the audit event in one transaction. Filling is not timed.
/// </summary>
internal static class PostgresStoreRevokeRun
{
    private const string Stolen = "repo:acme/stolen:environment:production";

    // The shape of the ids the broker gives revocations ("rev_" and 24 hex characters).
    private static readonly string RevocationId = "rev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var round = args.WholeNumber("round", 1);
        var leases = args.WholeNumber("leases", 100_000);
        var files = await BrokerStoreFiles.ReadAsync(args.Text("dir"), args.WholeNumber("store", 1));
        DapperSetup.Register();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.WholeNumber("max-seconds", 600)));
        var ct = deadline.Token;

        await using var db = files.Open();
        await PostgresMigrator.MigrateAsync(db, ct);
        var now = SystemClock.Instance.GetCurrentInstant();
        var filled = Stopwatch.GetTimestamp();
        await FillAsync(db, leases, now, ct);
        var fillSeconds = Stopwatch.GetElapsedTime(filled).TotalSeconds;

        var appender = new PostgresAuditAppender(new AuditChain(MasterKey.Generate()));
        var store = new PostgresIdentityStore(db, appender);
        var leaseStore = new PostgresLeaseStore(db, appender);
        // A node's pool already holds open sessions: the login is not part of the figure.
        await leaseStore.CountByStateAsync(ct);

        var target = new IdentityTarget("github", Stolen, null, null);
        var record = new AuditRecord(now, AuditContext.System, AuditActions.IdentityRevoke, target.Describe, AuditDecision.Allowed, "bench");
        var started = Stopwatch.GetTimestamp();
        var revocation = new IdentityRevocation(RevocationId, target, "bench", new BlockRule(target, "bench", RevocationId, now), RevokeReasons.IdentityRevoked, now);
        var revoked = await store.RevokeAsync(revocation, record.WithLeaseCount, ct);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var states = await leaseStore.CountByStateAsync(ct);
        var blocked = (await store.BlockRulesAsync(ct)).Any(b => b.Target == target);
        var allRevoked = blocked && revoked == leases && states.GetValueOrDefault(LeaseState.Revoking) == leases && states.GetValueOrDefault(LeaseState.Active) == leases;
        var result = new RevokeIdentityResult("pgstore-revoke", round, leases, Math.Round(elapsed.TotalSeconds, 3), revoked, allRevoked);
        await File.AppendAllTextAsync(args.Text("out"), result.ToJsonLine() + "\n");
        Console.WriteLine(result.Describe() + string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  (PostgreSQL store; filled in {fillSeconds:F1} s, not timed)"));

        // The rows go with the round (the store's own login owns the schema), keeping the cluster small for the next.
        await using (var c = await db.OpenAsync(ct))
        {
            await c.ExecuteAsync(new CommandDefinition($"DROP SCHEMA {db.Schema} CASCADE", cancellationToken: ct));
        }

        return allRevoked ? 0 : 1;
    }

    /// <summary>
    /// As <see cref="RevokeIdentityRun"/> fills SQLite: 2 × <paramref name="leases"/> active leases,
    /// every other one the stolen identity's, over 200 claim sets, with their credentials, in one
    /// transaction by binary COPY; then VACUUM ANALYZE, so the planner knows the table as a live
    /// store's autovacuum would have it.
    /// </summary>
    private static async Task FillAsync(PostgresDatabase db, int leases, Instant now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using (var tx = await c.BeginTransactionAsync(ct))
        {
            await StoreLeaseRows.CopyClaimSetsAsync(c, 200, ct);
            await StoreLeaseRows.CopyLeasesAsync(
                c,
                leases * 2,
                now,
                i => i % 2 == 0 ? Stolen : $"repo:acme/app-{i % 100}:environment:production",
                i => (i % 2 * 100) + (i % 100) + 1,
                ct);
            await tx.CommitAsync(ct);
        }

        // The identity column was given explicit ids: it continues after them, as the broker's own inserts would.
        await c.ExecuteAsync(new CommandDefinition("SELECT setval(pg_get_serial_sequence('workload_claims', 'id'), 200)", cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE lease, lease_credential, workload_claims", commandTimeout: 600, cancellationToken: ct));
    }
}
