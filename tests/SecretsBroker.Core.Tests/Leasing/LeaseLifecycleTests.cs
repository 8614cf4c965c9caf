using NodaTime;
using NodaTime.Testing;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Compromise;
using SecretsBroker.Core.Identity;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Core.Tests.Fakes;

namespace SecretsBroker.Core.Tests.Leasing;

public sealed class LeaseLifecycleTests : IDisposable
{
    private static readonly AuditContext Request = new("workload:github:repo:acme/app", "req", "127.0.0.1", null);
    private static readonly LeaseWriter Writer = LeaseWriter.StartOn("node-a");
    private readonly FakeClock clock = new(Instant.FromUtc(2026, 11, 23, 9, 0));
    private readonly InMemoryLeaseStore store = new();
    private readonly FlakyProvider provider = new();
    private readonly FixedPolicy policy = new();
    private readonly InMemoryAuditStore auditTrail = new(new AuditChain(SecretsBroker.Core.Secrets.MasterKey.Generate()));

    // No identity is blocked here: the block check runs on every issue and renewal, and lets each through.
    private readonly IdentityGate identities = new(new NoIdentities(), new OneProcessBlockRules());
    private readonly InMemoryLeasing leasing;

    public LeaseLifecycleTests()
    {
        leasing = LeasingWith(provider);
    }

    public void Dispose() => identities.Dispose();

    private InMemoryLeasing LeasingWith(ICredentialProvider credentials) =>
        new(store, auditTrail, policy, credentials, identities, Writer, clock);

    private WorkloadIdentity Runner(string run = "42", string repository = "acme/app", string job = "7") =>
        new("github", $"repo:{repository}", new Dictionary<string, string> { ["repository"] = repository, ["run_id"] = run }, run, job, clock.GetCurrentInstant() + Duration.FromMinutes(5));

    private static IssueLeaseCommand Ask(string run = "42", string step = "deploy", string role = "deploy-api", string? key = null, Duration? ttl = null) =>
        new(role, run, step, "smoke", ttl, key);

    [Fact]
    public async Task An_allowed_request_gets_an_active_lease_with_its_credential_and_an_audited_decision()
    {
        var issued = await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default);

        var lease = issued.Value.Lease;
        Assert.Equal(LeaseState.Active, (await store.FindAsync(lease.Id, default))!.State);
        Assert.Equal("minted-" + lease.Id, issued.Value.Credential["secret"]);
        Assert.Equal(clock.GetCurrentInstant() + Duration.FromMinutes(10), lease.ExpiresAt);
        var decision = Assert.Single(store.Audit);
        Assert.Equal((AuditActions.LeaseIssue, AuditDecision.Allowed), (decision.Action, decision.Decision));
        Assert.Contains("rule acme-app", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("minted-", store.Rows[lease.Id].Credential, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_lease_of_an_identity_in_a_minute_records_it_seen_in_its_own_insert_and_the_rest_of_that_minute_do_not()
    {
        var sighted = new List<(string Subject, string Run)>();
        store.Sightings = lease => sighted.Add((lease.Subject, lease.RunId));

        await leasing.Issuer.IssueAsync(Runner(run: "42"), Ask(run: "42"), Request, default);
        clock.Advance(Duration.FromSeconds(20));
        await leasing.Issuer.IssueAsync(Runner(run: "43"), Ask(run: "43"), Request, default);
        await leasing.Issuer.IssueAsync(Runner(run: "44") with { Subject = "repo:acme/app:environment:production" }, Ask(run: "44"), Request, default);
        await leasing.Issuer.IssueAsync(Runner(run: "46", repository: "acme/denied"), Ask(run: "46"), Request, default);
        clock.Advance(Duration.FromSeconds(41));
        await leasing.Issuer.IssueAsync(Runner(run: "45"), Ask(run: "45"), Request, default);

        Assert.Equal([("repo:acme/app", "42"), ("repo:acme/app:environment:production", "44"), ("repo:acme/app", "45")], sighted);
        Assert.Equal(4, store.Rows.Count);
    }

    [Fact]
    public async Task A_provider_that_mints_downstream_finds_its_lease_already_committed_as_issuing()
    {
        string? stateAtMint = null;
        provider.OnMint = lease => stateAtMint = store.Rows[lease.Id].Lease.State;

        var issued = await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default);

        Assert.Equal(LeaseState.Issuing, stateAtMint);
        Assert.Equal(LeaseState.Active, store.Rows[issued.Value.Lease.Id].Lease.State);
    }

    [Fact]
    public async Task A_lease_written_ahead_records_the_process_that_wrote_it_and_one_committed_once_records_none()
    {
        var local = new FlakyProvider(mintsDownstream: false);

        var ahead = await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default);
        var once = await LeasingWith(local).Issuer.IssueAsync(Runner(), Ask(step: "migrate"), Request, default);

        Assert.Equal(Writer, store.Rows[ahead.Value.Lease.Id].Lease.Writer);
        Assert.Null(store.Rows[once.Value.Lease.Id].Lease.Writer);
    }

    [Fact]
    public async Task A_credential_that_exists_only_in_the_answer_is_committed_once_as_active_with_its_credential()
    {
        var local = new FlakyProvider(mintsDownstream: false);
        var committedAtMint = true;
        local.OnMint = lease => committedAtMint = store.Rows.ContainsKey(lease.Id);

        var issued = await LeasingWith(local).Issuer.IssueAsync(Runner(), Ask(), Request, default);

        Assert.False(committedAtMint);
        var row = store.Rows[issued.Value.Lease.Id];
        Assert.Equal(LeaseState.Active, row.Lease.State);
        Assert.NotNull(row.Credential);
        Assert.Equal(1, local.MintCalls);
    }

    [Fact]
    public async Task A_token_from_another_run_cannot_lease_for_this_one()
    {
        var issued = await leasing.Issuer.IssueAsync(Runner(run: "41"), Ask(run: "42"), Request, default);

        Assert.Equal(ErrorCodes.RunMismatch, issued.Error?.Code);
        Assert.Empty(store.Rows);
    }

    [Fact]
    public async Task A_denied_request_gets_policy_denied_and_nothing_is_minted()
    {
        var issued = await leasing.Issuer.IssueAsync(Runner(repository: "evil/fork"), Ask(), Request, default);

        Assert.Equal(ErrorCodes.PolicyDenied, issued.Error?.Code);
        Assert.DoesNotContain("acme", issued.Error!.Message, StringComparison.Ordinal);
        Assert.Empty(store.Rows);
    }

    [Fact]
    public async Task Retrying_with_the_same_idempotency_key_returns_the_same_lease_and_credential()
    {
        var first = await leasing.Issuer.IssueAsync(Runner(), Ask(key: "k-1"), Request, default);
        clock.Advance(Duration.FromMinutes(5));
        var retry = await leasing.Issuer.IssueAsync(Runner(), Ask(key: "k-1"), Request, default);

        Assert.True(retry.Value.Replayed);
        Assert.Equal(first.Value.Lease.Id, retry.Value.Lease.Id);
        Assert.Equal(first.Value.Credential["secret"], retry.Value.Credential["secret"]);
        Assert.Single(store.Rows);
    }

    [Fact]
    public async Task The_same_binding_from_the_same_job_within_the_window_is_not_minted_twice()
    {
        var first = await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default);
        clock.Advance(Duration.FromSeconds(59));
        var retry = await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default);
        clock.Advance(Duration.FromSeconds(2));
        var later = await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default);
        var otherStep = await leasing.Issuer.IssueAsync(Runner(), Ask(step: "migrate"), Request, default);

        Assert.Equal(first.Value.Lease.Id, retry.Value.Lease.Id);
        Assert.NotEqual(first.Value.Lease.Id, later.Value.Lease.Id);
        Assert.NotEqual(later.Value.Lease.Id, otherStep.Value.Lease.Id);
    }

    [Fact]
    public async Task Renewal_needs_the_owner_extends_the_expiry_and_never_past_the_maximum()
    {
        var issued = (await leasing.Issuer.IssueAsync(Runner(), Ask(), Request, default)).Value.Lease;
        var owner = new LeaseCaller(Runner(), false, Request);
        clock.Advance(Duration.FromMinutes(9));

        var stranger = await leasing.Renewer.RenewAsync(new LeaseCaller(Runner(run: "43"), false, Request), issued.Id, null, default);
        var first = await leasing.Renewer.RenewAsync(owner, issued.Id, null, default);
        Result<IssuedLease> last = first;
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(Duration.FromMinutes(9));
            last = await leasing.Renewer.RenewAsync(owner, issued.Id, null, default);
        }

        Assert.Equal(ErrorCodes.LeaseNotFound, stranger.Error?.Code);
        Assert.Equal(clock.GetCurrentInstant() - Duration.FromMinutes(45) + Duration.FromMinutes(10), first.Value.Lease.ExpiresAt);
        Assert.Equal(issued.IssuedAt + Duration.FromHours(1), last.Value.Lease.ExpiresAt);
        Assert.Equal(issued.MaxExpiresAt, last.Value.Lease.ExpiresAt);
    }

    [Fact]
    public async Task Another_job_of_the_same_run_can_neither_read_nor_renew_a_lease_but_may_revoke_it()
    {
        var lease = (await leasing.Issuer.IssueAsync(Runner(job: "5001"), Ask(), Request, default)).Value.Lease;
        var otherJob = new LeaseCaller(Runner(job: "5002"), false, Request);
        clock.Advance(Duration.FromMinutes(5));

        var read = await leasing.Lookup.GetAsync(otherJob, lease.Id, default);
        var renewed = await leasing.Renewer.RenewAsync(otherJob, lease.Id, null, default);
        var expiryAfter = store.Rows[lease.Id].Lease.ExpiresAt;
        var revoked = await leasing.Revocations.RevokeAsync(otherJob, lease.Id, default);

        Assert.Equal(ErrorCodes.LeaseNotFound, read.Error?.Code);
        Assert.Equal(ErrorCodes.LeaseNotFound, renewed.Error?.Code);
        Assert.Equal(lease.ExpiresAt, expiryAfter);
        Assert.Contains(auditTrail.Events, e => e.Action == AuditActions.LeaseRenew && e.Decision == AuditDecision.Denied && e.Reason == "not_lease_owner");
        Assert.True(revoked.IsSuccess);
        Assert.Equal(LeaseState.Revoking, store.Rows[lease.Id].Lease.State);
    }

    [Fact]
    public async Task An_expired_or_non_renewable_lease_cannot_be_renewed()
    {
        var once = (await leasing.Issuer.IssueAsync(Runner(), Ask(role: "once"), Request, default)).Value.Lease;
        var lease = (await leasing.Issuer.IssueAsync(Runner(), Ask(step: "other"), Request, default)).Value.Lease;
        var owner = new LeaseCaller(Runner(), false, Request);

        var notRenewable = await leasing.Renewer.RenewAsync(owner, once.Id, null, default);
        clock.Advance(Duration.FromMinutes(10));
        var expired = await leasing.Renewer.RenewAsync(owner, lease.Id, null, default);

        Assert.Equal(ErrorCodes.LeaseNotRenewable, notRenewable.Error?.Code);
        Assert.Equal(ErrorCodes.LeaseNotActive, expired.Error?.Code);
    }

    [Fact]
    public async Task Completing_a_run_revokes_all_its_leases_and_only_its_own_token_or_an_operator_may()
    {
        var a = (await leasing.Issuer.IssueAsync(Runner(), Ask(step: "a"), Request, default)).Value.Lease;
        var b = (await leasing.Issuer.IssueAsync(Runner(), Ask(step: "b"), Request, default)).Value.Lease;
        var other = (await leasing.Issuer.IssueAsync(Runner(run: "43"), Ask(run: "43"), Request, default)).Value.Lease;

        var refused = await leasing.Revocations.CompleteRunAsync(new LeaseCaller(Runner(run: "43"), false, Request), "github", "42", default);
        var completed = await leasing.Revocations.CompleteRunAsync(new LeaseCaller(Runner(), false, Request), "github", "42", default);

        Assert.Equal(ErrorCodes.RunMismatch, refused.Error?.Code);
        Assert.Equal(2, completed.Value);
        Assert.All([a.Id, b.Id], id => Assert.Equal(LeaseState.Revoking, store.Rows[id].Lease.State));
        Assert.Equal(LeaseState.Active, store.Rows[other.Id].Lease.State);
    }

    [Fact]
    public async Task A_revoked_lease_is_dead_at_once_and_its_credential_is_gone()
    {
        var lease = (await leasing.Issuer.IssueAsync(Runner(), Ask(key: "k"), Request, default)).Value.Lease;

        var revoked = await leasing.Revocations.RevokeAsync(new LeaseCaller(Runner(), false, Request), lease.Id, default);
        var replay = await leasing.Issuer.IssueAsync(Runner(), Ask(key: "k"), Request, default);

        Assert.False(revoked.Value.IsValidAt(clock.GetCurrentInstant()));
        Assert.Null(store.Rows[lease.Id].Credential);
        Assert.Equal(ErrorCodes.LeaseNotActive, replay.Error?.Code);
    }
}
