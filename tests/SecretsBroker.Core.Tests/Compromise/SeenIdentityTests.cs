using NodaTime;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Compromise;

/// <summary>The seen-identity record is written at most once a minute per identity, however its CI runs' claims differ.</summary>
public sealed class SeenIdentityTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 12, 3, 9, 0);

    [Fact]
    public async Task Runs_of_one_subject_within_a_minute_write_the_record_once_and_the_next_minute_writes_the_newest_claims()
    {
        var store = new RecordedSeen();
        using var gate = new IdentityGate(store, new OneProcessBlockRules());

        for (var run = 1; run <= 20; run++)
        {
            await gate.SeenAsync(Token("repo:acme/api:ref:refs/heads/main", run), Start + Duration.FromSeconds(run), default);
        }

        await gate.SeenAsync(Token("repo:acme/web:ref:refs/heads/main", 1), Start + Duration.FromSeconds(30), default);
        await gate.SeenAsync(Token("repo:acme/api:ref:refs/heads/main", 21), Start + Duration.FromSeconds(61), default);

        Assert.Equal(
            [("repo:acme/api:ref:refs/heads/main", "1"), ("repo:acme/web:ref:refs/heads/main", "1"), ("repo:acme/api:ref:refs/heads/main", "21")],
            store.Written);
    }

    [Fact]
    public async Task A_clock_that_went_back_writes_the_record_again()
    {
        var store = new RecordedSeen();
        using var gate = new IdentityGate(store, new OneProcessBlockRules());

        await gate.SeenAsync(Token("repo:acme/api:ref:refs/heads/main", 1), Start, default);
        await gate.SeenAsync(Token("repo:acme/api:ref:refs/heads/main", 2), Start - Duration.FromSeconds(5), default);

        Assert.Equal(2, store.Written.Count);
    }

    private static WorkloadIdentity Token(string subject, int run) => new(
        "github",
        subject,
        new Dictionary<string, string> { ["sub"] = subject, ["run_id"] = run.ToString(System.Globalization.CultureInfo.InvariantCulture), ["sha"] = $"{run:x40}" },
        run.ToString(System.Globalization.CultureInfo.InvariantCulture),
        null,
        Start + Duration.FromHours(1));

    /// <summary>Every seen record written, as (subject, run id of the claims written); nothing else is kept.</summary>
    private sealed class RecordedSeen : IIdentityStore
    {
        private readonly NoIdentities nothing = new();

        public List<(string Subject, string Run)> Written { get; } = [];

        public Task RecordSeenAsync(WorkloadIdentity who, string claimsJson, Instant now, CancellationToken ct)
        {
            Assert.Equal(who.ClaimSetJson, claimsJson);
            Written.Add((who.Subject, who.Claims["run_id"]));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<BlockRule>> BlockRulesAsync(CancellationToken ct) => nothing.BlockRulesAsync(ct);

        public Task<IReadOnlyList<SeenIdentity>> PageAsync(long after, int limit, Instant now, CancellationToken ct) => nothing.PageAsync(after, limit, now, ct);

        public Task<int> RevokeAsync(IdentityRevocation revocation, Func<int, AuditRecord> recordFor, CancellationToken ct) => nothing.RevokeAsync(revocation, recordFor, ct);

        public Task<int> PruneClaimSetsAsync(CancellationToken ct) => nothing.PruneClaimSetsAsync(ct);

        public Task<RevocationProgress?> ProgressAsync(string revocationId, CancellationToken ct) => nothing.ProgressAsync(revocationId, ct);

        public Task<bool> UnblockAsync(IdentityTarget target, AuditRecord record, CancellationToken ct) => nothing.UnblockAsync(target, record, ct);
    }
}
