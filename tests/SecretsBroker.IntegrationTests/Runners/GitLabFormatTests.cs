using SecretsBroker.IntegrationTests.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// <c>sbctl lease --format gitlab --env-file FILE</c> as the GitLab component runs it: the export lines go to
/// a file sbctl creates itself, readable by the job's user alone, never into one that was there before; the
/// job's log (sbctl's stdout and stderr) names the variables but shows no secret.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GitLabFormatTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static string[] Lease(LeasingBroker world, string envFile, string step = "deploy", params string[] more) =>
        ["lease", "--role", LeasingBroker.Role, "--run", world.Ci.RunId, "--step", step, "--purpose", "smoke", "--format", "gitlab", "--env-file", envFile, .. more];

    [Fact]
    public async Task The_env_file_is_created_with_mode_0600_and_holds_export_lines_that_bash_evaluates_to_the_exact_lease_values()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        var envFile = folder.Sub("env");
        var leaseIdFile = folder.Sub("lease-id");
        var oidcToken = world.TokenFor();

        var leased = await CiJobShell.WithOidcToken(world, oidcToken).SbctlAsync(Lease(world, envFile, more: ["--lease-id-file", leaseIdFile]));
        using var runner = world.Runner();
        var issued = await world.IssueAsync(runner, "deploy", "smoke");
        var script = await File.ReadAllTextAsync(envFile);

        Assert.True(leased.ExitCode == 0, leased.Stderr);
        Assert.True(issued.Replayed);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(envFile));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(leaseIdFile));
        Assert.Equal(issued.Lease.Id + "\n", await File.ReadAllTextAsync(leaseIdFile));
        Assert.Equal(
            ["export SB_LEASE_ID=", "export SB_LEASE_EXPIRES_AT=", "export SB_TOKEN=", "export SB_TOKEN_TYPE="],
            script.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[..(line.IndexOf('=', StringComparison.Ordinal) + 1)]));
        Assert.Equal(issued.Lease.Id, await Bash.EvalAndPrintAsync(script, "SB_LEASE_ID"));
        Assert.Equal("2026-11-01T09:10:00Z", await Bash.EvalAndPrintAsync(script, "SB_LEASE_EXPIRES_AT"));
        Assert.Equal(issued.Credential["token"], await Bash.EvalAndPrintAsync(script, "SB_TOKEN"));
        Assert.Equal("Bearer", await Bash.EvalAndPrintAsync(script, "SB_TOKEN_TYPE"));
        Assert.Equal(
            $"lease '{issued.Lease.Id}' expires 2026-11-01T09:10:00Z: SB_LEASE_ID, SB_LEASE_EXPIRES_AT, SB_TOKEN, SB_TOKEN_TYPE written to {envFile} (source it; remove it once sourced)",
            Assert.Single(leased.StdoutLines()));
        Assert.Equal("", leased.Stderr);
        Assert.DoesNotContain(issued.Credential["token"], leased.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(oidcToken, leased.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a file")]
    [InlineData("a link to another file")]
    [InlineData("a dangling link")]
    [InlineData("a folder")]
    public async Task An_env_file_path_that_is_taken_already_is_refused_with_exit_2_left_as_it_was_and_no_lease_is_issued(string taken)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        var envFile = folder.Sub("env");
        var target = folder.Sub("target");
        switch (taken)
        {
            case "a file":
                await File.WriteAllTextAsync(envFile, "untouched\n");
                break;
            case "a link to another file":
                await File.WriteAllTextAsync(target, "untouched\n");
                File.CreateSymbolicLink(envFile, target);
                break;
            case "a dangling link":
                File.CreateSymbolicLink(envFile, target);
                break;
            case "a folder":
                Directory.CreateDirectory(envFile);
                break;
        }

        var refused = await CiJobShell.WithOidcToken(world, world.TokenFor()).SbctlAsync(Lease(world, envFile));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: env_file_exists: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(0, LeaseRows.Count(world));
        switch (taken)
        {
            case "a file":
                Assert.Equal("untouched\n", await File.ReadAllTextAsync(envFile));
                break;
            case "a link to another file":
                Assert.Equal("untouched\n", await File.ReadAllTextAsync(target));
                Assert.Equal(target, new FileInfo(envFile).LinkTarget);
                break;
            case "a dangling link":
                Assert.False(File.Exists(target));
                Assert.Equal(target, new FileInfo(envFile).LinkTarget);
                break;
            case "a folder":
                Assert.Empty(Directory.EnumerateFileSystemEntries(envFile));
                break;
        }
    }

    [Fact]
    public async Task A_lease_the_broker_refuses_leaves_no_env_file_behind_and_prints_no_token()
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        var envFile = folder.Sub("env");
        var oidcToken = world.TokenFor();

        var refused = await CiJobShell.WithOidcToken(world, oidcToken).SbctlAsync(Lease(world, envFile, step: "build"));

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: policy_denied: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(envFile));
        Assert.DoesNotContain(oidcToken, refused.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gitlab", null, "missing_env_file")]
    [InlineData("env", "env-file", "env_file_not_allowed")]
    [InlineData("github", "env-file", "env_file_not_allowed")]
    public async Task The_env_file_goes_with_format_gitlab_only_and_a_mismatch_is_refused_before_anything_is_sent(string format, string? envFile, string code)
    {
        await using var world = await LeasingBroker.StartAsync();
        using var folder = new RunnerFolder();
        string[] args = ["lease", "--role", LeasingBroker.Role, "--run", world.Ci.RunId, "--step", "deploy", "--purpose", "smoke", "--format", format];
        if (envFile is not null)
        {
            args = [.. args, "--env-file", folder.Sub(envFile)];
        }

        var refused = await CiJobShell.WithOidcToken(world, world.TokenFor()).Set("GITHUB_ENV", folder.Sub("github-env")).SbctlAsync(args);

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith($"error: {code}: ", refused.SingleStderrLine(), StringComparison.Ordinal);
        Assert.Equal(0, LeaseRows.Count(world));
        Assert.False(File.Exists(folder.Sub("env-file")));
    }
}
