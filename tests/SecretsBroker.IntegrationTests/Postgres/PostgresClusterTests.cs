using Npgsql;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>The throwaway cluster the PostgreSQL tests run against: scram logins on loopback, and the group-role helper.</summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task The_shared_cluster_takes_the_superuser_password_and_refuses_a_wrong_one()
    {
        var cluster = PostgresCluster.Shared;

        var version = await cluster.ScalarAsync("SHOW server_version");
        var wrong = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString()) { Password = "wrong" }.ToString();
        await using var refused = new NpgsqlConnection(wrong);
        var failure = await Assert.ThrowsAsync<PostgresException>(() => refused.OpenAsync());

        Assert.NotNull(version);
        Assert.Equal("28P01", failure.SqlState);
    }

    [Fact]
    public async Task A_group_role_made_by_the_helper_exists_and_cannot_log_in()
    {
        var cluster = PostgresCluster.Shared;
        var database = await cluster.CreateDatabaseAsync();

        var group = await cluster.CreateGroupRoleAsync(database);

        Assert.True(await cluster.RoleExistsAsync(group));
        Assert.Equal(false, await cluster.ScalarAsync("SELECT rolcanlogin FROM pg_roles WHERE rolname = @name", ("name", group)));
    }
}
