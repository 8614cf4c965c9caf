using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Core.Leasing;
using SecretsBroker.Providers.Postgres;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>
/// PostgreSQL leases end to end over HTTP, against the real shared cluster: every minted login is
/// used, and every revocation path is proven by a login that fails and a role that is gone.
/// </summary>
public sealed class PostgresLeaseTests
{
    [Fact]
    public async Task A_minted_login_connects_and_can_select_and_insert_through_its_group_role_but_do_nothing_more()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();

        var issued = await pg.World.IssueAsync(runner, "migrate", "schema", role: PostgresBroker.Role);
        await using var session = await PostgresBroker.ConnectAsync(issued.Credential);
        await using (var insert = new NpgsqlCommand("INSERT INTO items (id, note) VALUES (1, 'from the lease')", session))
        {
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var select = new NpgsqlCommand("SELECT note FROM items WHERE id = 1", session);
        var note = await select.ExecuteScalarAsync();
        await using var delete = new NpgsqlCommand("DELETE FROM items", session);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
        await using var searchPath = new NpgsqlCommand("SHOW search_path", session);

        Assert.Equal("active", issued.Lease.State);
        Assert.Equal("from the lease", note);
        Assert.Equal("42501", refused.SqlState);
        Assert.Equal("public", await searchPath.ExecuteScalarAsync());
        var prefix = pg.Broker.Services.GetRequiredService<PostgresCredentialProvider>().Prefix;
        Assert.Equal((prefix + issued.Lease.Id, pg.Database, pg.Cluster.Host, pg.Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (issued.Credential["username"], issued.Credential["database"], issued.Credential["host"], issued.Credential["port"]));
        Assert.True(issued.Credential["password"].Length >= 32);
        Assert.Equal(true, await pg.Cluster.ScalarAsync("SELECT pg_has_role(@role, @group, 'MEMBER')", ("role", issued.Credential["username"]), ("group", pg.Group)));
    }

    [Fact]
    public async Task The_downstream_role_is_valid_until_the_lease_expiry_and_a_renewal_moves_it()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        var username = issued.Credential["username"];
        var validUntil = await pg.Cluster.ScalarAsync("SELECT rolvaliduntil FROM pg_roles WHERE rolname = @role", ("role", username));

        pg.Broker.Clock.Advance(Duration.FromMinutes(5));
        using var fresh = pg.World.Runner();
        using var renewal = await fresh.PostAsJsonAsync($"{Routes.Leases}/{issued.Lease.Id}/renew", new RenewLeaseRequest(1800));
        var renewed = (await renewal.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
        var renewedUntil = await pg.Cluster.ScalarAsync("SELECT rolvaliduntil FROM pg_roles WHERE rolname = @role", ("role", username));
        await using var session = await PostgresBroker.ConnectAsync(issued.Credential);

        Assert.Equal(issued.Lease.ExpiresAt, new DateTimeOffset((DateTime)validUntil!));
        Assert.Equal(HttpStatusCode.OK, renewal.StatusCode);
        Assert.Equal(issued.Lease.IssuedAt + TimeSpan.FromMinutes(35), renewed.Lease.ExpiresAt);
        Assert.Equal(renewed.Lease.ExpiresAt, new DateTimeOffset((DateTime)renewedUntil!));
        Assert.Empty(renewed.Credential);
    }

    [Fact]
    public async Task Revoking_a_lease_ends_its_open_session_fails_its_login_and_drops_its_role()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        await using var open = await PostgresBroker.ConnectAsync(issued.Credential);

        using var revoke = await runner.DeleteAsync($"{Routes.Leases}/{issued.Lease.Id}");
        await pg.Broker.Services.GetRequiredService<LeaseJobs>().SweepAsync();
        var after = await runner.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("revoked", after!.State);
        await AssertGoneAsync(pg, issued.Credential);
        await using var stillThere = new NpgsqlCommand("SELECT 1", open);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => stillThere.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Completing_the_run_drops_the_role_of_every_lease_of_that_run()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var migrate = await pg.World.IssueAsync(runner, "migrate", "schema", role: PostgresBroker.Role);
        var deploy = await pg.World.IssueAsync(runner, "deploy", "smoke", role: PostgresBroker.Role);

        using var complete = await runner.PostAsync($"{Routes.Runs}/{pg.World.Ci.RunId}/complete", null);
        await pg.Broker.Services.GetRequiredService<LeaseJobs>().SweepAsync();

        Assert.Equal(2, (await complete.Content.ReadFromJsonAsync<RunCompletion>())!.Revoked);
        await AssertGoneAsync(pg, migrate.Credential);
        await AssertGoneAsync(pg, deploy.Credential);
    }

    [Fact]
    public async Task An_expired_lease_has_its_role_dropped_by_the_sweep()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        await using (await PostgresBroker.ConnectAsync(issued.Credential))
        {
            // The login works before expiry: what follows is the sweep's doing.
        }

        pg.Broker.Clock.Advance(Duration.FromMinutes(10) + Duration.FromSeconds(1));
        await pg.Broker.Services.GetRequiredService<LeaseJobs>().SweepAsync();
        using var operatorClient = pg.Broker.Client(await pg.Broker.CreateTokenAsync("oncall", "operator"));

        // The sweep asked for here skips a lease the background sweep is revoking at that moment: wait for it.
        var after = await Leases.CiJobLifeTests.WaitForStateAsync(operatorClient, issued.Lease.Id, "revoked", TimeSpan.FromSeconds(20));

        Assert.Equal(("revoked", "expired"), (after!.State, after.RevokeReason));
        await AssertGoneAsync(pg, issued.Credential);
    }

    [Fact]
    public async Task A_role_created_before_a_crash_between_mint_and_activation_is_dropped_by_the_reconciler()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        using (var raw = pg.Broker.OpenRawDatabase())
        {
            // As if the broker died after the mint and before the lease became active.
            using var crash = raw.CreateCommand();
            crash.CommandText = "UPDATE lease SET state = 'issuing' WHERE id = $id; DELETE FROM lease_credential WHERE lease_id = $id";
            crash.Parameters.AddWithValue("$id", issued.Lease.Id);
            Assert.Equal(2, crash.ExecuteNonQuery()); // the lease row and its credential
        }

        var roleBefore = await pg.Cluster.RoleExistsAsync(issued.Credential["username"]);
        pg.Broker.Clock.Advance(Duration.FromSeconds(61));
        await pg.Broker.Services.GetRequiredService<LeaseJobs>().ReconcileAsync();
        using var operatorClient = pg.Broker.Client(await pg.Broker.CreateTokenAsync("oncall", "operator"));
        var after = await operatorClient.GetFromJsonAsync<LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");

        Assert.True(roleBefore);
        Assert.Equal(("revoked", "reconciled_issuing"), (after!.State, after.RevokeReason));
        await AssertGoneAsync(pg, issued.Credential);
    }

    [Fact]
    public async Task A_grants_template_with_an_unknown_placeholder_refuses_the_lease_and_creates_no_role()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();

        using var refused = await LeasingBroker.LeaseAsync(runner, pg.World.Ci.RunId, "deploy", role: PostgresBroker.BadTemplateRole);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemResponse>();
        var members = await pg.Cluster.ScalarAsync(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = @group AND r.rolname <> @admin",
            ("group", pg.Group), ("admin", pg.AdminLogin.Username));

        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Equal("provider_failed", problem!.Code);
        Assert.Equal(0L, members);
    }

    [Fact]
    public async Task Revoking_downstream_twice_or_for_a_role_already_gone_succeeds()
    {
        await using var pg = await PostgresBroker.StartAsync();
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "deploy", role: PostgresBroker.Role);
        var lease = (await pg.Broker.Services.GetRequiredService<ILeaseStore>().FindAsync(issued.Lease.Id, CancellationToken.None))!;
        var provider = pg.Broker.Services.GetRequiredService<ProviderRegistry>().Find("postgresql")!;

        var first = await provider.RevokeAsync(lease, CancellationToken.None);
        var second = await provider.RevokeAsync(lease, CancellationToken.None);

        Assert.True(first.IsSuccess);
        Assert.True(second.IsSuccess);
        await AssertGoneAsync(pg, issued.Credential);
    }

    /// <summary>The credential's login fails and its role is no longer in pg_roles.</summary>
    internal static async Task AssertGoneAsync(PostgresBroker pg, IReadOnlyDictionary<string, string> credential)
    {
        var login = await Assert.ThrowsAsync<PostgresException>(() => PostgresBroker.ConnectAsync(credential));
        Assert.Equal("28P01", login.SqlState);
        Assert.False(await pg.Cluster.RoleExistsAsync(credential["username"]));
    }
}
