using System.Globalization;
using System.Net;
using System.Text.Json;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

public sealed class SecretCommandTests
{
    private static readonly string[] PostgresFieldNames = ["database", "host", "password", "port", "username"];

    [Fact]
    public async Task Secret_put_from_a_file_creates_version_1_of_a_postgresql_admin_secret()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("orders-db");
        using var fields = new TempFile(JsonSerializer.Serialize(BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue())));

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "put", name, "--type", "postgresql-admin", "--from-file", fields.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([$"secret '{name}' created (version 1)"], run.StdoutLines());
        var stored = await GetSecretAsync(broker, name);
        Assert.Equal("postgresql-admin", stored.Type);
        Assert.Equal(1, stored.Version);
        Assert.Equal(PostgresFieldNames, stored.FieldNames);
    }

    [Theory]
    [InlineData("--from-stdin")]
    [InlineData("--from-file", "-")]
    public async Task Secret_put_reads_the_fields_from_stdin_with_from_stdin_or_from_file_dash(params string[] stdinOption)
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("billing-db");
        var fields = JsonSerializer.Serialize(BrokerFakers.PostgresAdmin(BrokerFakers.SecretValue()));

        var run = await broker.SbctlWithInputAsync(broker.AdminToken, fields, ["secret", "put", name, "--type", "postgresql-admin", .. stdinOption]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([$"secret '{name}' created (version 1)"], run.StdoutLines());
        Assert.Equal(PostgresFieldNames, (await GetSecretAsync(broker, name)).FieldNames);
    }

    [Fact]
    public async Task Putting_a_secret_again_says_updated_and_stores_version_2()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());

        var run = await broker.SbctlWithInputAsync(broker.AdminToken, """{"api_key": "k-2"}""", "secret", "put", name, "--type", "generic", "--from-stdin");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([$"secret '{name}' updated (version 2)"], run.StdoutLines());
        Assert.Equal(2, (await GetSecretAsync(broker, name)).Version);
    }

    [Fact]
    public async Task Secret_list_shows_each_secrets_name_type_version_and_field_names()
    {
        await using var broker = await TestBroker.StartAsync();
        var database = BrokerFakers.Name("orders-db");
        var webhook = BrokerFakers.Name("webhook");
        await PutFromStdinAsync(broker, database, BrokerFakers.SecretValue());
        await broker.SbctlWithInputAsync(broker.AdminToken, """{"url": "https://hooks.example", "signing_key": "k"}""", "secret", "put", webhook, "--type", "generic", "--from-stdin");

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "list");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["NAME", "TYPE", "VERSION", "UPDATED", "FIELDS"], run.StdoutLines()[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal([database, "postgresql-admin", "1", "2026-11-01T09:00:00Z", "database,host,password,port,username"], run.Row(database));
        Assert.Equal([webhook, "generic", "1", "2026-11-01T09:00:00Z", "signing_key,url"], run.Row(webhook));
    }

    [Fact]
    public async Task Secret_show_prints_the_metadata_and_every_version_with_its_creator()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "show", name);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(name, run.Field("name"));
        Assert.Equal("postgresql-admin", run.Field("type"));
        Assert.Equal("2", run.Field("version"));
        Assert.Equal("database,host,password,port,username", run.Field("fields"));
        Assert.Matches(@"^token:[A-Za-z0-9_-]+:admin-initial$", run.Row("1")[2]);
        Assert.Matches(@"^token:[A-Za-z0-9_-]+:admin-initial$", run.Row("2")[2]);
    }

    [Fact]
    public async Task Secret_show_json_parses_into_SecretMetadata_with_the_version_and_field_names()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "show", name, "--json");

        Assert.Equal(0, run.ExitCode);
        var secret = JsonSerializer.Deserialize<SecretMetadata>(run.Stdout, JsonSerializerOptions.Web)!;
        Assert.Equal(name, secret.Name);
        Assert.Equal("postgresql-admin", secret.Type);
        Assert.Equal(2, secret.Version);
        Assert.Equal(PostgresFieldNames, secret.FieldNames);
        Assert.Equal([1, 2], secret.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Secret_delete_removes_the_secret_so_show_and_list_no_longer_find_it()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("old-db");
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());
        await PutFromStdinAsync(broker, name, BrokerFakers.SecretValue());

        var run = await broker.SbctlAsync(broker.AdminToken, "secret", "delete", name);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([$"secret '{name}' deleted"], run.StdoutLines());
        var show = await broker.SbctlAsync(broker.AdminToken, "secret", "show", name);
        Assert.Equal(1, show.ExitCode);
        Assert.StartsWith("error: secret_not_found: ", show.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(["no secrets"], (await broker.SbctlAsync(broker.AdminToken, "secret", "list")).StdoutLines());
    }

    [Fact]
    public async Task No_sbctl_output_across_a_secrets_lifecycle_contains_its_value()
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("app-db");
        var first = BrokerFakers.SecretValue();
        var second = BrokerFakers.SecretValue();
        using var firstFields = new TempFile(JsonSerializer.Serialize(BrokerFakers.PostgresAdmin(first)));
        var secondFields = JsonSerializer.Serialize(BrokerFakers.PostgresAdmin(second));
        var admin = broker.AdminToken;

        SbctlRun[] runs =
        [
            await broker.SbctlAsync(admin, "secret", "put", name, "--type", "postgresql-admin", "--from-file", firstFields.Path),
            await broker.SbctlWithInputAsync(admin, secondFields, "secret", "put", name, "--type", "postgresql-admin", "--from-stdin", "--json"),
            await broker.SbctlAsync(admin, "secret", "list"),
            await broker.SbctlAsync(admin, "secret", "list", "--json"),
            await broker.SbctlAsync(admin, "secret", "show", name),
            await broker.SbctlAsync(admin, "secret", "show", name, "--json"),
            await broker.SbctlAsync(admin, "audit", "list", "--json"),
            await broker.SbctlAsync(admin, "secret", "delete", name),
        ];

        Assert.All(runs, run => Assert.Equal(0, run.ExitCode));
        Assert.DoesNotContain(first, runs.AllOutput(), StringComparison.Ordinal);
        Assert.DoesNotContain(second, runs.AllOutput(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--value", "{0}")]
    [InlineData("--value={0}")]
    [InlineData("{0}", "--from-stdin")]
    public async Task Secret_put_takes_no_value_on_argv_and_refuses_one_with_a_usage_error_that_does_not_echo_it(params string[] valueArguments)
    {
        await using var broker = await TestBroker.StartAsync();
        var name = BrokerFakers.Name("api-key");
        var value = BrokerFakers.SecretValue();
        var withValue = valueArguments.Select(argument => string.Format(CultureInfo.InvariantCulture, argument, value));

        var run = await broker.SbctlAsync(broker.AdminToken, ["secret", "put", name, "--type", "generic", .. withValue]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: usage: ", run.SingleStderrLine(), StringComparison.Ordinal);
        Assert.DoesNotContain(value, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
        using var admin = broker.Admin();
        using var response = await admin.GetAsync($"/v1/secrets/{name}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task PutFromStdinAsync(TestBroker broker, string name, string password)
    {
        var fields = JsonSerializer.Serialize(BrokerFakers.PostgresAdmin(password));
        var run = await broker.SbctlWithInputAsync(broker.AdminToken, fields, "secret", "put", name, "--type", "postgresql-admin", "--from-stdin");
        Assert.Equal(0, run.ExitCode);
    }

    private static async Task<SecretMetadata> GetSecretAsync(TestBroker broker, string name)
    {
        using var admin = broker.Admin();
        var json = await admin.GetStringAsync($"/v1/secrets/{name}");
        return JsonSerializer.Deserialize<SecretMetadata>(json, JsonSerializerOptions.Web)!;
    }
}
