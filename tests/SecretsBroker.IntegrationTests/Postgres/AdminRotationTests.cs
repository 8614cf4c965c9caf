using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Errors;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Core.Audit;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Providers.Postgres;
using SecretsBroker.Server.Jobs;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>The broker rotates the PostgreSQL admin password it holds, against a real server, and can always still log in.</summary>
public sealed class AdminRotationTests
{
    private static readonly PostgresCluster Cluster = PostgresCluster.Shared;

    /// <summary>A fresh admin login made by the guide's recipe, and the root secret fields that name it.</summary>
    private static async Task<Dictionary<string, string>> NewAdminAsync() =>
        Cluster.AdminSecretFields(await Cluster.CreateBrokerAdminAsync(), "postgres");

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
    public async Task A_rotation_cut_short_while_its_change_waits_on_a_lock_never_leaves_a_password_the_server_refuses()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var fields = await NewAdminAsync();
        (await admin.PutAsJsonAsync($"{Routes.Secrets}/pg-admin", new PutSecretRequest("postgresql-admin", fields))).EnsureSuccessStatusCode();

        // Someone else holds the admin's row in the role catalog (an uncommitted change that will be rolled
        // back), so a password change waits at the server.
        await using var holder = new NpgsqlConnection(Cluster.AdminConnectionString());
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"ALTER ROLE \"{fields["username"]}\" CONNECTION LIMIT 50", holder, held))
        {
            await hold.ExecuteNonQueryAsync();
        }

        // What a broker process did before it was killed: version 2 stored as pending (step 1), and
        // the change sent to the server (step 2), whose session now waits there with nobody behind it.
        // A lock wait longer than the test, so only recovery's ending of the session can stop the change.
        var rotator = new PostgresAdminRotator(lockTimeout: TimeSpan.FromMinutes(2));
        var next = rotator.NextFields(fields);
        var attempt = SecretRotation.AttemptOf("pg-admin", 2);
        var now = broker.Clock.GetCurrentInstant();
        var pending = new SealedSecretVersion("pg-admin", "postgresql-admin", 2, [.. next.Keys.Order(StringComparer.Ordinal)],
            broker.Services.GetRequiredService<SecretVault>().Seal("pg-admin", 2, next), now, "token:killed");
        Assert.True(await broker.Services.GetRequiredService<ISecretStore>().AddPendingVersionAsync(
            pending, new AuditRecord(now, AuditContext.System, AuditActions.SecretRotate, "secret:pg-admin", AuditDecision.Allowed, "rotation started; version 2 pending"), default));
        var leftAtTheServer = rotator.ApplyAsync(attempt, fields, next, CancellationToken.None);
        await WaitForLockWaitAsync(PostgresAdminRotator.SessionTag(attempt));

        await using var restarted = await broker.RestartAsync();
        await restarted.Services.GetRequiredService<LeaseJobs>().ReconcileAsync();
        await held.RollbackAsync(); // the holder lets go: a change still waiting would now be made
        var change = await leftAtTheServer;
        var stored = await StoredAsync(restarted, "pg-admin");
        var after = await restarted.Services.GetRequiredService<ISecretStore>().PendingVersionsAsync(default);

        Assert.Equal(TargetChange.NotMade, change);
        Assert.Empty(after);
        Assert.True(await CanLogInAsync(stored));
        Assert.Equal(fields["password"], stored["password"]);
    }

    /// <summary>Waits until the tagged session is at the server, waiting on a lock.</summary>
    private static async Task WaitForLockWaitAsync(string tag)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await Cluster.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE application_name = @tag AND wait_event_type = 'Lock'", ("tag", tag)) is 1L)
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("The password change never reached the server.");
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
