using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretsBroker.IntegrationTests.Cli;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.IntegrationTests.Hosting;

/// <summary>
/// SECRETSBROKER_CONFIG names a settings file anywhere (what ./scripts/start.sh passes): it is read
/// over the settings beside the binary, and environment variables and the command line still win.
/// </summary>
public sealed class SettingsFileTests
{
    [Fact]
    public async Task A_settings_file_named_by_SECRETSBROKER_CONFIG_is_read_over_the_built_in_settings_and_below_the_command_line()
    {
        using var file = new TempFile("""
            { "Broker": { "MaxRequestBodyBytes": 4096, "DataDirectory": "/from/the/file" }, "Policy": { "PollSeconds": 7 } }
            """);

        await using var app = SecretsBroker.Server.Program.Build([$"--SECRETSBROKER_CONFIG={file.Path}", "--Broker:DataDirectory=/from/the/command/line"]);
        var broker = app.Services.GetRequiredService<IOptions<BrokerOptions>>().Value;
        var sources = ((IConfigurationBuilder)app.Configuration).Sources.ToList();
        var fileAt = sources.FindIndex(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource j && j.Path == Path.GetFileName(file.Path));
        var environmentAt = sources.FindLastIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });

        Assert.Equal(4096, broker.MaxRequestBodyBytes);
        Assert.Equal("7", app.Configuration["Policy:PollSeconds"]);
        Assert.Equal("/from/the/command/line", broker.DataDirectory);
        Assert.InRange(fileAt, 0, environmentAt - 1);
    }

    [Fact]
    public void A_settings_file_that_does_not_exist_stops_the_broker_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sb-no-such-settings-" + Guid.NewGuid().ToString("N") + ".json");

        var refused = Assert.Throws<InvalidOperationException>(() => SecretsBroker.Server.Program.Build([$"--SECRETSBROKER_CONFIG={missing}"]));

        Assert.Contains("SECRETSBROKER_CONFIG", refused.Message, StringComparison.Ordinal);
        Assert.Contains(missing, refused.Message, StringComparison.Ordinal);
    }
}
