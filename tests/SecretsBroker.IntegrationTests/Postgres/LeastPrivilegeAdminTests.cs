using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>
/// The broker works with the admin login deploy/README.md prescribes (LOGIN CREATEROLE,
/// pg_signal_backend, ADMIN OPTION on the group roles) and nothing more, and names what is missing
/// when a login with less is stored.
/// </summary>
public sealed class LeastPrivilegeAdminTests
{
    private static readonly PostgresCluster Cluster = PostgresCluster.Shared;

    [Fact]
    public async Task The_PostgreSQL_tests_give_the_broker_the_guides_admin_and_not_a_superuser()
    {
        await using var pg = await PostgresBroker.StartAsync();
        var admin = pg.AdminLogin.Username;

        var attributes = await pg.Cluster.ScalarAsync("SELECT rolsuper::text || ',' || rolcreaterole::text FROM pg_roles WHERE rolname = @admin", ("admin", admin));
        var signals = await pg.Cluster.ScalarAsync("SELECT pg_has_role(@admin, 'pg_signal_backend', 'USAGE')", ("admin", admin));
        var adminOption = await pg.Cluster.ScalarAsync(
            "SELECT m.admin_option FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles a ON a.oid = m.member WHERE g.rolname = @group AND a.rolname = @admin",
            ("group", pg.Group), ("admin", admin));

        Assert.Equal("false,true", attributes);
        Assert.Equal(true, signals);
        Assert.Equal(true, adminOption);
    }

    [Fact]
    public async Task A_lease_whose_login_made_a_table_is_revoked_and_its_role_dropped_by_the_guides_admin()
    {
        await using var pg = await PostgresBroker.StartAsync();
        await pg.Cluster.ExecuteAsync(pg.Database, $"GRANT CREATE ON SCHEMA public TO \"{pg.Group}\"");
        using var runner = pg.World.Runner();
        var issued = await pg.World.IssueAsync(runner, "migrate", "schema", role: PostgresBroker.Role);
        await using (var session = await PostgresBroker.ConnectAsync(issued.Credential))
        {
            await using var create = new NpgsqlCommand("CREATE TABLE made_by_lease (id int)", session);
            await create.ExecuteNonQueryAsync();
        }

        using var revoke = await runner.DeleteAsync($"{Routes.Leases}/{issued.Lease.Id}");
        await pg.Broker.Services.GetRequiredService<LeaseJobs>().SweepAsync();
        using var operatorClient = pg.Broker.Client(await pg.Broker.CreateTokenAsync("oncall", "operator"));
        var after = await operatorClient.GetFromJsonAsync<Contracts.Leases.LeaseInfo>($"{Routes.Leases}/{issued.Lease.Id}");
        var owner = await ScalarInAsync(pg.Database, "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_lease'");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("revoked", after!.State);
        await PostgresLeaseTests.AssertGoneAsync(pg, issued.Credential);
        Assert.Equal(pg.AdminLogin.Username, owner);
    }

    [Fact]
    public async Task Storing_an_admin_without_pg_signal_backend_is_refused_naming_it()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var login = await Cluster.CreateBrokerAdminAsync();
        await Cluster.ExecuteAsync("postgres", $"REVOKE pg_signal_backend FROM \"{login.Username}\"");

        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", Cluster.AdminSecretFields(login, "postgres")));
        var problem = await put.Content.ReadFromJsonAsync<ProblemResponse>();
        using var stored = await admin.GetAsync($"{Routes.Secrets}/pg-admin");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("admin_privileges_missing", problem!.Code);
        Assert.Contains("pg_signal_backend", problem.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATEROLE", problem.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain(login.Password, problem.Detail!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Fact]
    public async Task Storing_an_admin_without_createrole_or_inherit_is_refused_naming_both()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var login = await Cluster.CreateBrokerAdminAsync();
        await Cluster.ExecuteAsync("postgres", $"ALTER ROLE \"{login.Username}\" NOCREATEROLE NOINHERIT");

        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", Cluster.AdminSecretFields(login, "postgres")));
        var problem = await put.Content.ReadFromJsonAsync<ProblemResponse>();

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("admin_privileges_missing", problem!.Code);
        Assert.Contains("CREATEROLE", problem.Detail!, StringComparison.Ordinal);
        Assert.Contains("pg_signal_backend", problem.Detail!, StringComparison.Ordinal);
        Assert.Contains("INHERIT", problem.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_the_broker_cannot_reach_when_it_is_stored_is_kept_and_the_log_says_it_was_not_checked()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var login = await Cluster.CreateBrokerAdminAsync();
        var fields = Cluster.AdminSecretFields(login, "postgres");
        fields["password"] = "not-the-password";

        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", fields));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Contains(broker.Logs.Lines, line => line.Contains("[4201]", StringComparison.Ordinal));
    }

    private static async Task<object?> ScalarInAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(Cluster.AdminConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
