using System.Net.Http.Json;
using NodaTime;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;

namespace SecretsBroker.TestSupport;

/// <summary>
/// A leasing broker whose policy has PostgreSQL roles minting from a <c>postgresql-admin</c> root
/// secret for a real cluster: a database of its own with a table <c>items</c>, and a group role that
/// may SELECT and INSERT on it. The broker's clock starts at the real time, because PostgreSQL checks
/// VALID UNTIL against its own clock.
/// </summary>
public sealed class PostgresBroker : IAsyncDisposable
{
    /// <summary>Members of the group role, search_path set to the schema: both via the grants template.</summary>
    public const string Role = "app-db";

    /// <summary>A grants template with a placeholder the provider does not know.</summary>
    public const string BadTemplateRole = "app-db-bad-template";

    public const string AdminSecret = "app-db-admin";

    private PostgresBroker(LeasingBroker world, PostgresCluster cluster, string database, string group, PostgresLogin admin)
    {
        AdminLogin = admin;
        World = world;
        Cluster = cluster;
        Database = database;
        Group = group;
    }

    public LeasingBroker World { get; }

    public TestBroker Broker => World.Broker;

    public PostgresCluster Cluster { get; }

    public string Database { get; }

    public string Group { get; }

    /// <summary>The broker's admin login, made by the guide's recipe (not a superuser).</summary>
    public PostgresLogin AdminLogin { get; }

    public static async Task<PostgresBroker> StartAsync(PostgresCluster? cluster = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        cluster ??= PostgresCluster.Shared;
        var database = await cluster.CreateDatabaseAsync();
        var group = await cluster.CreateGroupRoleAsync(database);
        var now = SystemClock.Instance.GetCurrentInstant();
        var world = await LeasingBroker.StartAsync(settings, policyFor: repository => PolicyFor(repository, group), start: Instant.FromUnixTimeSeconds(now.ToUnixTimeSeconds()));
        using var admin = world.Broker.Admin();
        var login = await cluster.CreateBrokerAdminAsync(group);
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{AdminSecret}", new PutSecretRequest("postgresql-admin", cluster.AdminSecretFields(login, database)));
        put.EnsureSuccessStatusCode();
        return new PostgresBroker(world, cluster, database, group, login);
    }

    private static string PolicyFor(string repository, string group) => $$$"""
        roles:
          {{{Role}}}:
            provider: postgresql
            secret: {{{AdminSecret}}}
            settings:
              grants: "GRANT {{{group}}} TO {{role}}; ALTER ROLE {{role}} IN DATABASE {{database}} SET search_path TO {{schema}}"
              schema: public
            default_ttl: 10m
            max_ttl: 1h
            renewable: true
          {{{BadTemplateRole}}}:
            provider: postgresql
            secret: {{{AdminSecret}}}
            settings:
              grants: "GRANT {{{group}}} TO {{role}}; ALTER ROLE {{role}} PASSWORD {{password}}"
            default_ttl: 10m
            max_ttl: 1h
        rules:
          - name: app-pipelines
            issuer: github
            claims: { repository: "{{{repository}}}" }
            roles: [{{{Role}}}, {{{BadTemplateRole}}}]
            steps: ["*"]
            purposes: ["*"]

        """;

    /// <summary>Opens a session with a minted credential's connection string (no pooling: each login is real).</summary>
    public static async Task<NpgsqlConnection> ConnectAsync(IReadOnlyDictionary<string, string> credential)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(credential["connection_string"]) { Pooling = false, Timeout = 5 }.ToString());
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await World.DisposeAsync();
}
