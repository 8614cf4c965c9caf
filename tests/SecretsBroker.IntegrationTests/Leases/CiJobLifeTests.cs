using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Leases;

/// <summary>A CI job's whole life over HTTP: issue, use through introspection, renew, revoke, complete the run, expire.</summary>
public sealed class CiJobLifeTests
{
    [Fact]
    public async Task A_job_leases_a_jwt_for_one_step_and_a_downstream_service_sees_it_active_with_its_binding()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();

        var issued = await world.IssueAsync(runner, "deploy", "smoke");
        var seen = await world.IntrospectAsync(issued.Credential["token"]);

        Assert.Equal("active", issued.Lease.State);
        Assert.Equal((world.Ci.RunId, world.Ci.JobId, "deploy", "smoke"), (issued.Lease.Run, issued.Lease.Job, issued.Lease.Step, issued.Lease.Purpose));
        Assert.Equal(issued.Lease.IssuedAt + TimeSpan.FromMinutes(10), issued.Lease.ExpiresAt);
        Assert.True(seen.Active);
        Assert.Equal((issued.Lease.Id, LeasingBroker.Audience, world.Ci.RunId, "deploy", "smoke", LeasingBroker.Role), (seen.Subject, seen.Audience, seen.Run, seen.Step, seen.Purpose, seen.Role));
        Assert.Equal(issued.Lease.ExpiresAt.ToUnixTimeSeconds(), seen.ExpiresAt);
    }

    [Fact]
    public async Task The_minted_jwt_verifies_against_the_published_jwks()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy");

        using var anonymous = world.Broker.Client();
        var jwks = new JsonWebKeySet(await anonymous.GetStringAsync(Routes.Jwks));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(issued.Credential["token"], new TokenValidationParameters
        {
            ValidIssuer = "secretsbroker",
            ValidAudience = LeasingBroker.Audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = false,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(issued.Lease.Id, ((JsonWebToken)result.SecurityToken).Subject);
        Assert.Equal("ES256", ((JsonWebToken)result.SecurityToken).Alg);
    }

    [Fact]
    public async Task Renewing_with_a_fresh_token_extends_the_lease_and_gives_a_new_jwt_but_never_past_the_maximum()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy");

        world.Broker.Clock.Advance(Duration.FromMinutes(8));
        using var fresh = world.Runner();
        using var renewal = await fresh.PostAsJsonAsync($"{Routes.Leases}/{issued.Lease.Id}/renew", new RenewLeaseRequest(3600));
        var renewed = (await renewal.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;

        Assert.Equal(HttpStatusCode.OK, renewal.StatusCode);
        Assert.Equal(issued.Lease.MaxExpiresAt, renewed.Lease.ExpiresAt);
        Assert.Equal(issued.Lease.IssuedAt + TimeSpan.FromHours(1), renewed.Lease.ExpiresAt);
        Assert.NotEqual(issued.Credential["token"], renewed.Credential["token"]);
        Assert.Equal(renewed.Lease.ExpiresAt.ToUnixTimeSeconds(), (await world.IntrospectAsync(renewed.Credential["token"])).ExpiresAt);
    }

    [Fact]
    public async Task A_revoked_lease_is_inactive_the_instant_the_revoke_returns()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy");

        using var revoke = await runner.DeleteAsync($"{Routes.Leases}/{issued.Lease.Id}");
        var seen = await world.IntrospectAsync(issued.Credential["token"]);
        var after = await runner.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False(seen.Active);
        Assert.Null(seen.Subject);
        Assert.Contains(after!.State, new[] { "revoking", "revoked" });
        Assert.Equal("revoked_by_caller", after.RevokeReason);
    }

    [Fact]
    public async Task Completing_a_run_revokes_every_lease_of_that_run_and_no_other()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        using var otherRun = world.Runner(run: "77");
        var migrate = await world.IssueAsync(runner, "migrate-db", "schema");
        var deploy = await world.IssueAsync(runner, "deploy", "smoke");
        var other = await world.IssueAsync(otherRun, "deploy", run: "77");

        using var complete = await runner.PostAsync($"{Routes.Runs}/{world.Ci.RunId}/complete", null);
        var completion = await complete.Content.ReadFromJsonAsync<RunCompletion>();

        Assert.Equal(2, completion!.Revoked);
        Assert.False((await world.IntrospectAsync(migrate.Credential["token"])).Active);
        Assert.False((await world.IntrospectAsync(deploy.Credential["token"])).Active);
        Assert.True((await world.IntrospectAsync(other.Credential["token"])).Active);
    }

    [Fact]
    public async Task A_run_can_be_completed_only_by_its_own_token_or_an_operator()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var lease = await world.IssueAsync(runner, "deploy");
        using var stranger = world.Runner(run: "78");
        using var operatorClient = world.Broker.Client(await world.Broker.CreateTokenAsync("oncall", "operator"));

        using var refused = await stranger.PostAsync($"{Routes.Runs}/{world.Ci.RunId}/complete", null);
        using var byOperator = await operatorClient.PostAsync($"{Routes.Runs}/{world.Ci.RunId}/complete?issuer=github", null);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("run_mismatch", (await refused.Content.ReadFromJsonAsync<Contracts.Errors.ProblemResponse>())!.Code);
        Assert.Equal(1, (await byOperator.Content.ReadFromJsonAsync<RunCompletion>())!.Revoked);
        Assert.False((await world.IntrospectAsync(lease.Credential["token"])).Active);
    }

    [Fact]
    public async Task An_expired_lease_is_dead_at_once_and_cleaned_up_by_the_sweep_within_two_seconds()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy", role: LeasingBroker.OneShotRole);

        world.Broker.Clock.Advance(Duration.FromMinutes(5));
        var seenAtExpiry = await world.IntrospectAsync(issued.Credential["token"]);
        using var operatorClient = world.Broker.Client(await world.Broker.CreateTokenAsync("oncall", "operator"));
        var beforeSweep = await operatorClient.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");
        var state = await WaitForStateAsync(operatorClient, issued.Lease.Id, "revoked", TimeSpan.FromSeconds(2));

        Assert.False(seenAtExpiry.Active);
        Assert.Contains(beforeSweep!.State, new[] { "expired", "revoking", "revoked" });
        Assert.Equal("revoked", state.State);
        Assert.Equal("expired", state.RevokeReason);
    }

    [Fact]
    public async Task A_lease_left_in_issuing_by_a_crash_is_revoked_by_the_reconciler()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy");
        using (var raw = world.Broker.OpenRawDatabase())
        {
            using var crash = raw.CreateCommand();
            crash.CommandText = "UPDATE lease SET state = 'issuing' WHERE id = $id";
            crash.Parameters.AddWithValue("$id", issued.Lease.Id);
            crash.ExecuteNonQuery();
        }

        world.Broker.Clock.Advance(Duration.FromSeconds(61));
        await world.Broker.Services.GetRequiredService<LeaseJobs>().ReconcileAsync();
        using var operatorClient = world.Broker.Client(await world.Broker.CreateTokenAsync("oncall", "operator"));
        var after = await operatorClient.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");

        Assert.Equal("revoked", after!.State);
        Assert.Equal("reconciled_issuing", after.RevokeReason);
    }

    internal static async Task<LeaseInfo> WaitForStateAsync(HttpClient client, string id, string state, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var lease = (await client.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{id}"))!;
            if (lease.State == state || DateTimeOffset.UtcNow > deadline)
            {
                return lease;
            }

            await Task.Delay(100);
        }
    }
}
