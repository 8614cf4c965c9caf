using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.IntegrationTests.Storage.Contracts;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.IntegrationTests.Storage;

/// <summary>
/// The group-commit writer runs a batch's writes in one transaction with no savepoint each: these tests
/// hold the writer on one write while the next batch queues up behind it, so the failing write is known
/// to share its transaction with neighbours before and after it, and prove that it fails alone, leaves
/// nothing behind, and leaves the audit chain intact. The writer also holds the audit head between
/// batches: events other connections append in between must be chained after, never overwritten.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 23, 9, 0);

    private SqliteStores? opened;

    private SqliteStores Stores => opened ?? throw new InvalidOperationException("Opened by InitializeAsync.");

    public async Task InitializeAsync() => opened = await SqliteStores.OpenAsync();

    public async Task DisposeAsync()
    {
        if (opened is not null)
        {
            await opened.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_write_violating_a_constraint_in_a_batch_gets_its_exception_and_every_neighbour_commits()
    {
        var taken = NewLease();
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(taken));
        var leases = Enumerable.Range(0, 41).Select(_ => NewLease()).ToList();
        const int Bad = 20;
        leases[Bad] = NewLease() with { Id = taken.Id, Role = "not-the-first" };

        var inserts = await InOneBatchAsync(() => leases.Select(l => Record.ExceptionAsync(() => InsertAsync(l))).ToList());
        var failures = await Task.WhenAll(inserts).WaitAsync(Patience);

        Assert.Equal(19, Assert.IsType<SqliteException>(failures[Bad]).SqliteErrorCode);
        Assert.All(failures.Where((_, i) => i != Bad), f => Assert.Null(f));
        foreach (var lease in leases.Where((_, i) => i != Bad))
        {
            Assert.Equal(LeaseState.Active, (await Stores.Stores.Leases.FindAsync(lease.Id, default))?.State);
        }

        Assert.Equal("deploy-api", (await Stores.Stores.Leases.FindAsync(taken.Id, default))?.Role);
        Assert.Equal(leases.Count, await Stores.QueryScalarAsync<long>("SELECT count(*) FROM audit_event"));
        await AssertChainIntactAsync();

        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewLease()));
        Assert.Equal(leases.Count + 1, await Stores.QueryScalarAsync<long>("SELECT count(*) FROM audit_event"));
        await AssertChainIntactAsync();
    }

    [Fact]
    public async Task A_write_that_throws_after_changing_rows_and_auditing_leaves_none_of_it_and_its_neighbours_keep_theirs()
    {
        var taken = NewLease();
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(taken));
        var before = Enumerable.Range(0, 10).Select(_ => NewLease()).ToList();
        var after = Enumerable.Range(0, 10).Select(_ => NewLease()).ToList();
        var appender = new SqliteAuditAppender(Stores.Stores.Chain);

        var writes = await InOneBatchAsync(() =>
        {
            var first = before.Select(l => Record.ExceptionAsync(() => InsertAsync(l))).ToList();
            var failing = Record.ExceptionAsync(() => Stores.Writes.RunAsync<bool>(async (c, tx) =>
            {
                await c.ExecuteAsync("UPDATE lease SET role = 'tampered' WHERE id = @Id", new { taken.Id }, tx);
                await appender.AppendAsync(c, tx, Audited("lease:tampered"), default);
                throw new InvalidOperationException("fails after its changes");
            }, default));
            return [.. first, failing, .. after.Select(l => Record.ExceptionAsync(() => InsertAsync(l)))];
        });
        var failures = await Task.WhenAll(writes).WaitAsync(Patience);

        Assert.IsType<InvalidOperationException>(failures[before.Count]);
        Assert.All(failures.Where((_, i) => i != before.Count), f => Assert.Null(f));
        Assert.Equal("deploy-api", (await Stores.Stores.Leases.FindAsync(taken.Id, default))?.Role);
        foreach (var lease in before.Concat(after))
        {
            Assert.NotNull(await Stores.Stores.Leases.FindAsync(lease.Id, default));
        }

        Assert.Equal(0, await Stores.QueryScalarAsync<long>("SELECT count(*) FROM audit_event WHERE target = 'lease:tampered'"));
        Assert.Equal(1 + before.Count + after.Count, await Stores.QueryScalarAsync<long>("SELECT count(*) FROM audit_event"));
        await AssertChainIntactAsync();

        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewLease()));
        await AssertChainIntactAsync();
    }

    [Fact]
    public async Task Events_appended_on_other_connections_between_the_writers_batches_are_chained_after_not_overwritten()
    {
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewLease()));

        // The token store audits on a connection of its own, as the secret store does.
        await Stores.Stores.Tokens.AddAsync(NewToken(), Audited("token:one"), default);
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(NewLease()));
        await Stores.Stores.Tokens.AddAsync(NewToken(), Audited("token:two"), default);
        await Stores.Stores.Tokens.AddAsync(NewToken(), Audited("token:three"), default);
        var last = NewLease();
        Assert.Equal(LeaseInsert.Inserted, await InsertAsync(last));

        var trail = await Stores.Stores.Audit.PageAsync(0, 100, default);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), trail.Select(e => e.Seq));
        Assert.Equal("lease:" + last.Id, trail[^1].Target);
        await AssertChainIntactAsync();
    }

    /// <summary>
    /// Holds the writer inside a write until <paramref name="queue"/> has queued its writes, so they all
    /// wait for, and land in, the next batch together.
    /// </summary>
    private async Task<List<Task<Exception?>>> InOneBatchAsync(Func<List<Task<Exception?>>> queue)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = Stores.Writes.RunAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
            return true;
        }, default);
        await entered.Task.WaitAsync(Patience);

        var queued = queue();
        release.SetResult();
        Assert.True(await holding.WaitAsync(Patience));
        return queued;
    }

    private Task<LeaseInsert> InsertAsync(Lease lease) =>
        Stores.Stores.Leases.InsertAsync(lease, "sealed-" + lease.Id, Audited("lease:" + lease.Id), default);

    private async Task AssertChainIntactAsync()
    {
        var verification = await new AuditVerifier(Stores.Stores.Audit, Stores.Stores.Chain).VerifyAsync(default);
        Assert.True(verification.Intact, verification.Problem);
    }

    private static AuditRecord Audited(string target) =>
        new(Now, new AuditContext("token:test", "req-1", "127.0.0.1", "tests"), "lease.issue", target, AuditDecision.Allowed, null);

    private static OperatorToken NewToken() =>
        new(TokenSecret.NewId(), "token-" + Guid.NewGuid().ToString("N")[..8], [Scopes.Operator], TokenSecret.Hash(TokenSecret.NewValue()),
            Now, Now + Duration.FromDays(1), null, "token:admin-initial", null);

    private static Lease NewLease()
    {
        var id = LeaseId.New(Now);
        return new Lease(
            id, "deploy-api", "jwt", "signing-key", "jti-" + id, "github", "repo:acme/app", "42", "7", "deploy", "smoke", "rule-1",
            LeaseState.Active, Now, Now + Duration.FromMinutes(10), Now + Duration.FromMinutes(20), true, null, null, null,
            Claims: """{"repository":"acme/app"}""");
    }
}
