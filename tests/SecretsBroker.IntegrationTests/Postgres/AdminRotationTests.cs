using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Providers.Postgres;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>The broker rotates the PostgreSQL admin password it holds, against a real server, and can always still log in.</summary>
public sealed class AdminRotationTests
{
    private static readonly PostgresCluster Cluster = PostgresCluster.Shared;

    /// <summary>A fresh admin login (LOGIN CREATEROLE) and the root secret fields that name it.</summary>
    private static async Task<Dictionary<string, string>> NewAdminAsync()
    {
        var role = "sb_rot_" + Guid.NewGuid().ToString("N")[..10];
        var password = "initial" + Guid.NewGuid().ToString("N");
        await Cluster.ExecuteAsync("postgres", $"CREATE ROLE \"{role}\" LOGIN CREATEROLE PASSWORD '{password}'");
        return new Dictionary<string, string>
        {
            ["host"] = Cluster.Host,
            ["port"] = Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["database"] = "postgres",
            ["username"] = role,
            ["password"] = password,
        };
    }

    private static async Task<bool> CanLogInAsync(IReadOnlyDictionary<string, string> fields)
    {
        try
        {
            await using var connection = new NpgsqlConnection(PostgresAdminLogin.Unpooled(fields).Value);
            await connection.OpenAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState == "28P01")
        {
            return false;
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>> StoredAsync(TestBroker broker, string name) =>
        (await broker.Services.GetRequiredService<SecretVault>().RevealAsync(name, default)).Value;

    [Fact]
    public async Task Rotating_changes_the_password_at_the_server_and_only_the_new_one_logs_in()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var fields = await NewAdminAsync();
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", fields))).EnsureSuccessStatusCode();

        using var rotate = await admin.PostAsync($"{Routes.Secrets}/pg-admin/rotate", null);
        var rotated = await rotate.Content.ReadFromJsonAsync<SecretMetadata>();
        var stored = await StoredAsync(broker, "pg-admin");

        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        Assert.Equal(2, rotated!.Version);
        Assert.NotEqual(fields["password"], stored["password"]);
        Assert.True(await CanLogInAsync(stored));
        Assert.False(await CanLogInAsync(fields));
        Assert.DoesNotContain(stored["password"], await rotate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotation_the_server_refuses_leaves_the_stored_login_as_it_was()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var fields = await NewAdminAsync();
        fields["password"] = "not-the-password";
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", fields))).EnsureSuccessStatusCode();

        using var rotate = await admin.PostAsync($"{Routes.Secrets}/pg-admin/rotate", null);
        var problem = await rotate.Content.ReadFromJsonAsync<ProblemResponse>();
        var after = await admin.GetFromJsonAsync<SecretMetadata>($"{Routes.Secrets}/pg-admin");

        Assert.Equal(HttpStatusCode.BadGateway, rotate.StatusCode);
        Assert.Equal("rotation_failed", problem!.Code);
        Assert.Equal(1, after!.Version);
        Assert.Equal([1], after.Versions.Select(v => v.Version));
        Assert.Equal("not-the-password", (await StoredAsync(broker, "pg-admin"))["password"]);
    }

    [Fact]
    public async Task A_secret_with_a_rotation_period_is_rotated_by_the_scheduled_job_once_it_is_due()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var fields = await NewAdminAsync();
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", fields, RotateEverySeconds: 3600))).EnsureSuccessStatusCode();
        var jobs = broker.Services.GetRequiredService<SecretJobs>();

        await jobs.RotateDueAsync();
        var before = await admin.GetFromJsonAsync<SecretMetadata>($"{Routes.Secrets}/pg-admin");
        broker.Clock.Advance(Duration.FromHours(1));
        await jobs.RotateDueAsync();
        var after = await admin.GetFromJsonAsync<SecretMetadata>($"{Routes.Secrets}/pg-admin");

        Assert.Equal((1, 3600L), (before!.Version, before.RotateEverySeconds!.Value));
        Assert.Equal(2, after!.Version);
        Assert.True(await CanLogInAsync(await StoredAsync(broker, "pg-admin")));
        Assert.False(await CanLogInAsync(fields));
    }

    [Fact]
    public async Task Sbctl_secret_rotate_prints_the_new_version()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", await NewAdminAsync()))).EnsureSuccessStatusCode();

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "rotate", "pg-admin");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("secret 'pg-admin' rotated (version 2)", run.Stdout, StringComparison.Ordinal);
        Assert.True(await CanLogInAsync(await StoredAsync(broker, "pg-admin")));
    }
}
