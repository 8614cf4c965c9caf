using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Backups;
using SecretsBroker.Core.Audit;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Backups;

/// <summary><c>POST /v1/backups</c>: a consistent, private copy of the database, taken while the broker serves, and audited.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BackupTests
{
    [Fact]
    public async Task An_admin_takes_a_backup_that_holds_every_row_in_a_file_only_the_broker_user_can_read()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.CreateTokenAsync("ci-reader", "operator");
        await broker.CreateTokenAsync("security-desk", "security");

        using var admin = broker.Admin();
        using var response = await admin.PostAsync(Routes.Backups, null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var backup = (await response.Content.ReadFromJsonAsync<BackupInfo>())!;
        Assert.Matches(@"^broker-\d{8}T\d{9}Z\.db\z", backup.File);
        var folder = Path.Combine(broker.DataDirectory, "backups");
        var path = Path.Combine(folder, backup.File);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));

        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await copy.OpenAsync();
        Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        await using var live = broker.OpenRawDatabase();
        Assert.Equal(
            await live.QueryAsync<string>("SELECT name FROM operator_token ORDER BY name"),
            await copy.QueryAsync<string>("SELECT name FROM operator_token ORDER BY name"));
        Assert.Equal(
            await live.ExecuteScalarAsync<long>("SELECT count(*) FROM data_protection_key"),
            await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM data_protection_key"));
    }

    [Fact]
    public async Task A_backup_is_audited_with_its_file_and_the_admin_who_took_it()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();

        using var response = await admin.PostAsync(Routes.Backups, null);
        var backup = (await response.Content.ReadFromJsonAsync<BackupInfo>())!;

        var trail = await broker.Services.GetRequiredService<IAuditStore>().PageAsync(0, 1000, CancellationToken.None);
        var recorded = Assert.Single(trail, e => e.Action == AuditActions.DatabaseBackup);
        Assert.Equal(($"backup:{backup.File}", AuditDecision.Allowed), (recorded.Target, recorded.Decision));
        Assert.StartsWith("token:", recorded.Actor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_the_admin_scope_cannot_take_a_backup_and_no_file_is_written()
    {
        await using var broker = await TestBroker.StartAsync();
        var security = await broker.CreateTokenAsync("security-desk", "security");
        using var client = broker.Client(security);

        using var response = await client.PostAsync(Routes.Backups, null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(Directory.Exists(Path.Combine(broker.DataDirectory, "backups")));
    }
}
