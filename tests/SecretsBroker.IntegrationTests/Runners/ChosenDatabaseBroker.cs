using System.Net.Http.Json;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// A leasing broker whose role <see cref="Role"/> mints PostgreSQL logins for a database of the shared
/// cluster whose name the operator chose: PostgreSQL takes any character but NUL in a quoted name, and the
/// provider hands the name back in the credential's <c>database</c> and <c>connection_string</c> fields. So
/// a credential value holding newlines, <c>NAME=value</c> lines or delimiter-like text comes from a real lease.
/// The broker's clock starts at the real time, because PostgreSQL checks VALID UNTIL against its own.
/// </summary>
internal sealed class ChosenDatabaseBroker : IAsyncDisposable
{
    public const string Role = "named-db";
    private const string AdminSecret = "named-db-admin";

    private ChosenDatabaseBroker(LeasingBroker world, PostgresCluster cluster, string database)
    {
        World = world;
        Cluster = cluster;
        Database = database;
    }

    public LeasingBroker World { get; }

    public PostgresCluster Cluster { get; }

    /// <summary>The database's name, exactly as created.</summary>
    public string Database { get; }

    /// <summary>Creates the database <paramref name="database"/> (at most 63 bytes, or PostgreSQL truncates it) and a broker leasing logins for it.</summary>
    public static async Task<ChosenDatabaseBroker> StartAsync(string database)
    {
        var cluster = PostgresCluster.Shared;
        await cluster.CreateDatabaseAsync(database);
        var now = SystemClock.Instance.GetCurrentInstant();
        var world = await LeasingBroker.StartAsync(policyFor: PolicyFor, start: Instant.FromUnixTimeSeconds(now.ToUnixTimeSeconds()));
        var login = await cluster.CreateBrokerAdminAsync();
        using var admin = world.Broker.Admin();
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{AdminSecret}", new PutSecretRequest("postgresql-admin", cluster.AdminSecretFields(login, database)));
        put.EnsureSuccessStatusCode();
        return new ChosenDatabaseBroker(world, cluster, database);
    }

    // No grants: a new database lets PUBLIC connect, which is all the login needs to prove its password.
    private static string PolicyFor(string repository) => $$"""
        roles:
          {{Role}}:
            provider: postgresql
            secret: {{AdminSecret}}
            default_ttl: 10m
            max_ttl: 1h
        rules:
          - name: app-pipelines
            issuer: github
            claims: { repository: "{{repository}}" }
            roles: [{{Role}}]
            steps: ["*"]
            purposes: ["*"]

        """;

    public ValueTask DisposeAsync() => World.DisposeAsync();
}
