using System.Text.Json;
using NodaTime;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary><c>sbctl lease</c> as a CI step uses it: lease a credential, print it for eval, show, renew and revoke it.</summary>
public sealed class LeaseCommandTests
{
    // The broker's fake clock starts at 2026-11-01T09:00:00Z; deploy-api leases last 10 minutes, 1 hour at most.
    private const string IssuedAt = "2026-11-01T09:00:00Z";
    private const string TenMinutesLater = "2026-11-01T09:10:00Z";

    private static string[] Lease(LeasingBroker world, string step = "deploy", string purpose = "smoke", params string[] more) =>
        ["lease", "--role", LeasingBroker.Role, "--run", world.Ci.RunId, "--step", step, "--purpose", purpose, .. more];

    private static IssuedLeaseResponse Issued(SbctlRun run)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonSerializer.Deserialize<IssuedLeaseResponse>(run.Stdout, JsonSerializerOptions.Web)!;
    }

    private static string[] VariableNames(SbctlRun run, string prefix = "") =>
        run.StdoutLines().Select(line => line[prefix.Length..line.IndexOf('=', StringComparison.Ordinal)]).ToArray();

    [Fact]
    public async Task Lease_prints_export_lines_that_bash_evaluates_to_the_exact_lease_id_and_a_token_that_introspects_active()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());

        var leased = await job.SbctlAsync(Lease(world));
        // The same binding from the same job within a minute is a retry: the broker answers with the lease sbctl
        // just printed, credential included, which gives the exact values to compare with.
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy", "smoke");
        var leaseId = await Bash.EvalAndPrintAsync(leased.Stdout, "SB_LEASE_ID");
        var expiresAt = await Bash.EvalAndPrintAsync(leased.Stdout, "SB_LEASE_EXPIRES_AT");
        var token = await Bash.EvalAndPrintAsync(leased.Stdout, "SB_TOKEN");
        var seen = await world.IntrospectAsync(token);

        Assert.Equal(0, leased.ExitCode);
        Assert.Equal("", leased.Stderr);
        Assert.All(leased.StdoutLines(), line => Assert.StartsWith("export SB_", line, StringComparison.Ordinal));
        Assert.Equal(["SB_LEASE_ID", "SB_LEASE_EXPIRES_AT", "SB_TOKEN", "SB_TOKEN_TYPE"], VariableNames(leased, "export "));
        Assert.True(issued.Replayed);
        Assert.Equal(issued.Lease.Id, leaseId);
        Assert.Equal(issued.Credential["token"], token);
        Assert.Equal(TenMinutesLater, expiresAt);
        Assert.True(seen.Active);
        Assert.Equal((leaseId, world.Ci.RunId, "deploy", "smoke"), (seen.Subject, seen.Run, seen.Step, seen.Purpose));
    }

    [Fact]
    public async Task Lease_with_format_dotenv_prints_name_value_lines_whose_token_introspects_active_for_that_lease()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());

        var leased = await job.SbctlAsync(Lease(world, more: ["--format", "dotenv"]));
        var variables = leased.StdoutLines().Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        var seen = await world.IntrospectAsync(variables["SB_TOKEN"]);

        Assert.Equal(0, leased.ExitCode);
        Assert.Equal(["SB_LEASE_ID", "SB_LEASE_EXPIRES_AT", "SB_TOKEN", "SB_TOKEN_TYPE"], VariableNames(leased));
        Assert.Equal(TenMinutesLater, variables["SB_LEASE_EXPIRES_AT"]);
        Assert.Equal("Bearer", variables["SB_TOKEN_TYPE"]);
        Assert.True(seen.Active);
        Assert.Equal(variables["SB_LEASE_ID"], seen.Subject);
    }

    [Fact]
    public async Task Lease_with_format_json_prints_the_brokers_answer_as_an_issued_lease_response()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());

        var issued = Issued(await job.SbctlAsync(Lease(world, more: ["--format", "json"])));
        var seen = await world.IntrospectAsync(issued.Credential["token"]);

        var lease = issued.Lease;
        Assert.Equal(
            (LeasingBroker.Role, "active", world.Ci.RunId, world.Ci.JobId, "deploy", "smoke", true),
            (lease.Role, lease.State, lease.Run, lease.Job, lease.Step, lease.Purpose, lease.Renewable));
        Assert.Equal(DateTimeOffset.Parse(IssuedAt), lease.IssuedAt);
        Assert.Equal(DateTimeOffset.Parse(TenMinutesLater), lease.ExpiresAt);
        Assert.False(issued.Replayed);
        Assert.Equal("Bearer", issued.Credential["token_type"]);
        Assert.True(seen.Active);
        Assert.Equal(lease.Id, seen.Subject);
    }

    [Fact]
    public async Task Lease_with_ttl_2m_gives_a_lease_whose_token_dies_two_minutes_after_issue()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());

        var issued = Issued(await job.SbctlAsync(Lease(world, more: ["--ttl", "2m", "--format", "json"])));
        world.Broker.Clock.Advance(Duration.FromMinutes(2) - Duration.FromSeconds(1));
        var aSecondBefore = await world.IntrospectAsync(issued.Credential["token"]);
        world.Broker.Clock.Advance(Duration.FromSeconds(1));
        var atTwoMinutes = await world.IntrospectAsync(issued.Credential["token"]);

        Assert.Equal(TimeSpan.FromMinutes(2), issued.Lease.ExpiresAt - issued.Lease.IssuedAt);
        Assert.True(aSecondBefore.Active);
        Assert.False(atTwoMinutes.Active);
    }

    [Fact]
    public async Task Lease_run_twice_with_one_idempotency_key_gives_the_same_lease_id_even_after_the_retry_window()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());

        var first = Issued(await job.SbctlAsync(Lease(world, more: ["--idempotency-key", "job-7-deploy", "--format", "json"])));
        // Past the minute within which the broker takes the same binding for a retry even without a key.
        world.Broker.Clock.Advance(Duration.FromMinutes(3));
        var retry = Issued(await job.SbctlAsync(Lease(world, more: ["--idempotency-key", "job-7-deploy", "--format", "json"])));
        var anotherKey = Issued(await job.SbctlAsync(Lease(world, more: ["--idempotency-key", "job-8-deploy", "--format", "json"])));

        Assert.Equal(first.Lease.Id, retry.Lease.Id);
        Assert.Equal(first.Credential["token"], retry.Credential["token"]);
        Assert.True(retry.Replayed);
        Assert.NotEqual(first.Lease.Id, anotherKey.Lease.Id);
    }

    [Fact]
    public async Task Lease_show_prints_the_binding_state_and_times_of_a_lease_but_never_its_token()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var oidcTokenFile = new TempFile(world.TokenFor());
        var job = CiJobShell.Against(world);
        var issued = Issued(await job.SbctlAsync([.. Lease(world, more: ["--format", "json"]), "--oidc-token-file", oidcTokenFile.Path]));

        var shown = await job.SbctlAsync("lease", "show", issued.Lease.Id, "--oidc-token-file", oidcTokenFile.Path);

        Assert.Equal(0, shown.ExitCode);
        Assert.Equal(issued.Lease.Id, shown.Field("id"));
        Assert.Equal(
            (LeasingBroker.Role, "active", world.Ci.RunId, world.Ci.JobId, "deploy", "smoke"),
            (shown.Field("role"), shown.Field("state"), shown.Field("run"), shown.Field("job"), shown.Field("step"), shown.Field("purpose")));
        Assert.Equal((IssuedAt, TenMinutesLater, "2026-11-01T10:00:00Z"), (shown.Field("issued"), shown.Field("expires"), shown.Field("max expires")));
        Assert.Equal(("yes", "-"), (shown.Field("renewable"), shown.Field("revoke reason")));
        Assert.DoesNotContain(issued.Credential["token"], shown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_renew_with_a_fresh_oidc_token_prints_a_new_token_and_extends_the_lease_from_now()
    {
        await using var world = await LeasingBroker.StartAsync();
        var issued = Issued(await CiJobShell.WithOidcToken(world, world.TokenFor()).SbctlAsync(Lease(world, more: ["--format", "json"])));

        // The job's first OIDC token has expired by now (five minutes); the platform hands out a fresh one.
        world.Broker.Clock.Advance(Duration.FromMinutes(8));
        using var freshToken = new TempFile(world.TokenFor());
        var renewed = await CiJobShell.Against(world).Set(CiJobShell.OidcTokenFileVariable, freshToken.Path).SbctlAsync("lease", "renew", issued.Lease.Id);
        var leaseId = await Bash.EvalAndPrintAsync(renewed.Stdout, "SB_LEASE_ID");
        var expiresAt = await Bash.EvalAndPrintAsync(renewed.Stdout, "SB_LEASE_EXPIRES_AT");
        var token = await Bash.EvalAndPrintAsync(renewed.Stdout, "SB_TOKEN");
        world.Broker.Clock.Advance(Duration.FromMinutes(3));
        var seenPastTheFirstExpiry = await world.IntrospectAsync(token);

        Assert.Equal(0, renewed.ExitCode);
        Assert.Equal(issued.Lease.Id, leaseId);
        Assert.NotEqual(issued.Credential["token"], token);
        Assert.Equal("2026-11-01T09:18:00Z", expiresAt);
        Assert.True(seenPastTheFirstExpiry.Active);
        Assert.Equal(DateTimeOffset.Parse(expiresAt).ToUnixTimeSeconds(), seenPastTheFirstExpiry.ExpiresAt);
    }

    [Fact]
    public async Task Lease_revoke_makes_the_leased_token_inactive_at_once()
    {
        await using var world = await LeasingBroker.StartAsync();
        var job = CiJobShell.WithOidcToken(world, world.TokenFor());
        var issued = Issued(await job.SbctlAsync(Lease(world, more: ["--format", "json"])));
        var seenBefore = await world.IntrospectAsync(issued.Credential["token"]);

        var revoked = await job.SbctlAsync("lease", "revoke", issued.Lease.Id);
        var seenAfter = await world.IntrospectAsync(issued.Credential["token"]);

        Assert.Equal(0, revoked.ExitCode);
        Assert.StartsWith($"lease '{issued.Lease.Id}' revoked", Assert.Single(revoked.StdoutLines()), StringComparison.Ordinal);
        Assert.True(seenBefore.Active);
        Assert.False(seenAfter.Active);
    }

    [Fact]
    public async Task A_step_the_policy_does_not_allow_exits_1_with_one_policy_denied_line_and_prints_no_credential()
    {
        await using var world = await LeasingBroker.StartAsync();
        var oidcToken = world.TokenFor();

        var refused = await CiJobShell.WithOidcToken(world, oidcToken).SbctlAsync(Lease(world, step: "build"));

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: policy_denied: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(oidcToken, refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_of_another_run_cannot_lease_for_this_run_and_exits_1_with_run_mismatch()
    {
        await using var world = await LeasingBroker.StartAsync();
        var otherRunsToken = world.TokenFor(run: "77");

        var refused = await CiJobShell.WithOidcToken(world, otherRunsToken).SbctlAsync(Lease(world));

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: run_mismatch: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(otherRunsToken, refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_without_an_oidc_token_exits_2_and_sends_nothing_even_with_an_operator_token_in_the_environment()
    {
        await using var world = await LeasingBroker.StartAsync();
        var operatorToken = await world.Broker.CreateTokenAsync("oncall", "operator");

        var refused = await CiJobShell.Against(world).Set(CiJobShell.OperatorTokenVariable, operatorToken).SbctlAsync(Lease(world));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: missing_oidc_token: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(0, LeaseRows(world));
    }

    [Fact]
    public async Task An_operator_token_given_as_the_oidc_token_exits_2_without_printing_it_or_sending_anything()
    {
        await using var world = await LeasingBroker.StartAsync();
        var operatorToken = await world.Broker.CreateTokenAsync("oncall", "operator");

        var refused = await CiJobShell.WithOidcToken(world, operatorToken).SbctlAsync(Lease(world));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: invalid_oidc_token: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(operatorToken, refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, LeaseRows(world));
    }

    [Theory]
    [InlineData(" trailing-junk")]
    [InlineData("é")]
    public async Task A_malformed_oidc_token_exits_2_as_invalid_before_anything_is_sent_and_is_not_printed(string damage)
    {
        await using var world = await LeasingBroker.StartAsync();
        var oidcToken = world.TokenFor();
        using var damaged = new TempFile(oidcToken + damage);

        var refused = await CiJobShell.Against(world).Set(CiJobShell.OidcTokenFileVariable, damaged.Path).SbctlAsync(Lease(world));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: invalid_oidc_token: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(oidcToken, refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, LeaseRows(world));
    }

    [Fact]
    public async Task No_failing_lease_or_run_command_prints_the_oidc_token_whichever_way_it_was_given()
    {
        await using var world = await LeasingBroker.StartAsync();
        var oidcToken = world.TokenFor();
        using var oidcTokenFile = new TempFile(oidcToken);
        var fromVariable = CiJobShell.WithOidcToken(world, oidcToken);
        var fromFileVariable = CiJobShell.Against(world).Set(CiJobShell.OidcTokenFileVariable, oidcTokenFile.Path);
        var fromFlag = CiJobShell.Against(world);
        var oneShot = Issued(await fromVariable.SbctlAsync(["lease", "--role", LeasingBroker.OneShotRole, "--run", world.Ci.RunId, "--step", "deploy", "--purpose", "once", "--format", "json"]));

        var failures = new List<SbctlRun>
        {
            await fromVariable.SbctlAsync(Lease(world, step: "build")),
            await fromFileVariable.SbctlAsync(["lease", "--role", LeasingBroker.Role, "--run", "77", "--step", "deploy", "--purpose", "smoke"]),
            await fromFlag.SbctlAsync([.. Lease(world, more: ["--idempotency-key", "not ascii é"]), "--oidc-token-file", oidcTokenFile.Path]),
            await fromFileVariable.SbctlAsync("lease", "renew", oneShot.Lease.Id),
            await fromVariable.SbctlAsync("lease", "show", "no-such-lease"),
            await fromFlag.SbctlAsync("lease", "revoke", "no-such-lease", "--oidc-token-file", oidcTokenFile.Path),
            await fromVariable.SbctlAsync("run", "complete", "77"),
        };
        world.Broker.Clock.Advance(Duration.FromMinutes(6));
        failures.Add(await fromVariable.SbctlAsync(Lease(world, step: "migrate-db")));
        failures.Add(await fromFlag.SbctlAsync("run", "complete", world.Ci.RunId, "--oidc-token-file", oidcTokenFile.Path));

        Assert.All(failures, failure =>
        {
            Assert.NotEqual(0, failure.ExitCode);
            Assert.StartsWith("error: ", failure.SingleStderrLine(), StringComparison.Ordinal);
        });
        Assert.DoesNotContain(oidcToken, failures.AllOutput(), StringComparison.Ordinal);
        // The token's signature alone would be enough to recognise it in a log.
        Assert.DoesNotContain(oidcToken.Split('.')[2], failures.AllOutput(), StringComparison.Ordinal);
    }

    private static long LeaseRows(LeasingBroker world)
    {
        using var raw = world.Broker.OpenRawDatabase();
        using var count = raw.CreateCommand();
        count.CommandText = "SELECT count(*) FROM lease";
        return (long)count.ExecuteScalar()!;
    }
}
