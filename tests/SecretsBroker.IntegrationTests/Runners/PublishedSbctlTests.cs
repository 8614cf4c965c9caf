using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using SecretsBroker.Cli;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// The sbctl that scripts/publish.sh builds for CI runners (scripts/test.sh publishes it before the tests):
/// one self-contained file that starts and leases on a machine without .NET, beside a checksum file that
/// matches it. Without the file these tests fail, saying how to build it.
/// </summary>
public sealed class PublishedSbctlTests
{
    [Fact]
    public async Task The_sha256_file_beside_it_names_it_by_its_base_name_with_its_exact_digest()
    {
        var sbctl = RepositoryFiles.PublishedSbctl;
        await using var file = File.OpenRead(sbctl);
        var digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));

        var line = await File.ReadAllTextAsync(sbctl + ".sha256");

        // sha256sum's format: digest, two spaces, name; so 'sha256sum -c' works wherever both are copied.
        Assert.Equal($"{digest}  {Path.GetFileName(sbctl)}\n", line);
    }

    [Fact]
    public async Task In_the_sandbox_dotnet_is_not_found_and_the_framework_dependent_sbctl_cannot_start()
    {
        var look = await RunnerProcess.RunAsync("/bin/sh", ["-c", "command -v dotnet || echo 'no dotnet'; ls -A \"$0\"", RunnerProcess.DotnetRoot], new Dictionary<string, string>());
        var frameworkDependent = await RunnerProcess.RunAsync(RepositoryFiles.FrameworkDependentSbctl, ["--version"], new Dictionary<string, string>());

        Assert.Equal((0, "no dotnet\n", ""), (look.ExitCode, look.Stdout, look.Stderr));
        Assert.NotEqual(0, frameworkDependent.ExitCode);
        Assert.Contains(".NET", frameworkDependent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_published_sbctl_prints_the_version_of_this_build_without_dotnet()
    {
        var expected = typeof(Sbctl).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var version = await RunnerProcess.RunAsync(RepositoryFiles.PublishedSbctl, ["--version"], new Dictionary<string, string>());

        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.True(version.Stdout == expected + "\n", $"the published sbctl says {version.Stdout.Trim()}, this build is {expected}: run ./scripts/publish.sh linux-x64 again");
        Assert.Equal("", version.Stderr);
    }

    [Fact]
    public async Task The_published_sbctl_leases_and_revokes_against_the_broker_without_dotnet()
    {
        await using var world = await LeasingBroker.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["SECRETSBROKER_ADDR"] = world.Broker.Address.ToString().TrimEnd('/'),
            ["SECRETSBROKER_OIDC_TOKEN"] = world.TokenFor(),
        };

        var leased = await RunnerProcess.RunAsync(
            RepositoryFiles.PublishedSbctl,
            ["lease", "--role", LeasingBroker.Role, "--run", world.Ci.RunId, "--step", "deploy", "--purpose", "smoke", "--format", "json"],
            environment);
        var issued = JsonSerializer.Deserialize<IssuedLeaseResponse>(leased.Stdout, JsonSerializerOptions.Web)!;
        var seenWhileLeased = await world.IntrospectAsync(issued.Credential["token"]);
        var revoked = await RunnerProcess.RunAsync(RepositoryFiles.PublishedSbctl, ["lease", "revoke", issued.Lease.Id], environment);
        var seenAfterRevoke = await world.IntrospectAsync(issued.Credential["token"]);

        Assert.True(leased.ExitCode == 0, leased.ToString());
        Assert.Equal("", leased.Stderr);
        Assert.Equal((world.Ci.RunId, "deploy", "active"), (issued.Lease.Run, issued.Lease.Step, issued.Lease.State));
        Assert.True(seenWhileLeased.Active);
        Assert.Equal(issued.Lease.Id, seenWhileLeased.Subject);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.StartsWith($"lease '{issued.Lease.Id}' revoked (state ", Assert.Single(revoked.StdoutLines), StringComparison.Ordinal);
        Assert.False(seenAfterRevoke.Active);
    }
}
