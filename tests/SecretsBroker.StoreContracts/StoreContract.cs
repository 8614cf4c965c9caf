using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Core.Time;

namespace SecretsBroker.StoreContracts;

/// <summary>
/// The base of every store contract. xunit makes a new instance for each test, so each test gets
/// freshly opened stores (an empty database) and a fake clock at <see cref="Start"/>; the helpers make
/// values every backend must accept.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    /// <summary>A whole millisecond, so values made from the clock are already at the stored precision.</summary>
    protected static readonly Instant Start = Instant.FromUtc(2026, 11, 23, 9, 0);

    private BrokerStores? stores;

    protected FakeClock Clock { get; } = new(Start);

    protected Instant Now => Clock.GetCurrentInstant();

    protected BrokerStores Stores => stores ?? throw new InvalidOperationException("The stores are opened by InitializeAsync.");

    /// <summary>Opens this backend's stores over a new, empty database.</summary>
    protected abstract Task<BrokerStores> OpenStoresAsync();

    public async Task InitializeAsync() => stores = await OpenStoresAsync();

    public async Task DisposeAsync()
    {
        if (stores is not null)
        {
            await stores.DisposeAsync();
        }
    }

    /// <summary>What a store keeps of <paramref name="instant"/> (see Core's StoredTime).</summary>
    protected static Instant Stored(Instant instant) => instant.AtStoredPrecision();

    /// <summary>A lease of one CI job's step, issued now; vary it with <c>with</c>.</summary>
    protected Lease NewLease(string state = LeaseState.Active, Duration? ttl = null)
    {
        var id = LeaseId.New(Now);
        var lifetime = ttl ?? Duration.FromMinutes(10);
        return new Lease(
            id,
            Role: "deploy-api",
            Provider: "jwt",
            Secret: "signing-key",
            Handle: "jti-" + id,
            Issuer: "github",
            Subject: ContractFakers.Subject(),
            RunId: ContractFakers.RunId(),
            JobId: "7",
            Step: "deploy",
            Purpose: "smoke",
            Rule: "rule-1",
            State: state,
            IssuedAt: Now,
            ExpiresAt: Now + lifetime,
            MaxExpiresAt: Now + lifetime + lifetime,
            Renewable: true,
            IdempotencyKey: null,
            RevokeReason: null,
            RevokedAt: null,
            BreakGlass: false,
            Claims: """{"repository":"acme/app","run_id":"42"}""",
            Writer: null);
    }

    /// <summary>
    /// A lease as every reader gets it back: the claim set it was issued under and the process that
    /// wrote it ahead are kept for the store's own statements, never read back.
    /// </summary>
    protected static Lease AsRead(Lease lease) => lease with { Claims = null, Writer = null };

    /// <summary>Version <paramref name="version"/> of <paramref name="name"/>, created now.</summary>
    protected SealedSecretVersion NewSecretVersion(string name, int version, string type = "postgresql-admin") =>
        new(name, type, version, ["database", "host", "password", "port", "username"], ContractFakers.Ciphertext(), Now, "token:admin-initial");

    /// <summary>A token made now that lives for <paramref name="ttl"/> (a day unless given).</summary>
    protected OperatorToken NewToken(Duration? ttl = null, string? person = null) =>
        new(TokenSecret.NewId(), ContractFakers.Name("token"), [Scopes.Security, Scopes.Operator], TokenSecret.Hash(TokenSecret.NewValue()),
            Now, Now + (ttl ?? Duration.FromDays(1)), null, "token:admin-initial", person);

    /// <summary>An audit record of a write, made now; the target is unique so a test can find exactly its own event.</summary>
    protected AuditRecord NewRecord(string action, string? target = null) =>
        new(Now, new AuditContext("token:contract", "req-" + Guid.NewGuid().ToString("N")[..12], "127.0.0.1", "contract-tests"),
            action, target ?? "contract:" + Guid.NewGuid().ToString("N"), AuditDecision.Allowed, "because the test says so");

    /// <summary>The whole audit trail, read page by page as Core's verifier does.</summary>
    protected async Task<IReadOnlyList<AuditEvent>> TrailAsync()
    {
        var all = new List<AuditEvent>();
        while (true)
        {
            var page = await Stores.Audit.PageAsync(all.Count == 0 ? 0 : all[^1].Seq, 500, default);
            all.AddRange(page);
            if (page.Count < 500)
            {
                return all;
            }
        }
    }

    /// <summary>
    /// Asserts that exactly one audit event was committed since the trail held <paramref name="before"/>
    /// events, and that it is the record the test passed in.
    /// </summary>
    protected async Task AssertAuditedOnceAsync(int before, AuditRecord record)
    {
        var trail = await TrailAsync();
        Assert.Equal(before + 1, trail.Count);
        var e = trail[^1];
        Assert.Equal((Stored(record.At), record.Context.Actor, record.Action, record.Target, record.Decision), (e.At, e.Actor, e.Action, e.Target, e.Decision));
    }

    /// <summary>Asserts that the trail still holds <paramref name="before"/> events: a refused write audits nothing.</summary>
    protected async Task AssertNothingAuditedAsync(int before) => Assert.Equal(before, (await TrailAsync()).Count);

    /// <summary>Runs <paramref name="count"/> calls of <paramref name="write"/> at once, each on the thread pool, so they truly race.</summary>
    protected static Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> write) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => write(i))));
}
