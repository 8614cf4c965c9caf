using System.Text.Json;
using SecretsBroker.IntegrationTests.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Policy;

public sealed class PolicyCheckCommandTests
{
    private const string Broken = """
        roles:
          deploy-api:
            provider: jwt
            secret: deploy-signing-key
            default_ttl: 2h
            max_ttl: 1h
        rules:
          - name: app-main-deploy
            issuer: github
            claims: { repository: acme/app }
            roles: [deploy-web]
            steps: []
            purposes: ["*"]

        """;

    [Fact]
    public async Task Policy_check_on_a_valid_file_prints_OK_with_the_counts_and_hash_and_exits_0()
    {
        await using var broker = await TestBroker.StartAsync();
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);

        var run = await broker.SbctlAsync(null, "policy", "check", policy.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"policy OK: 1 roles, 1 rules, sha256 {PolicyFolder.HashOf(PolicyFolder.ValidPolicy)}\n", run.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Policy_check_on_a_broken_file_prints_every_error_as_file_line_column_and_exits_1()
    {
        await using var broker = await TestBroker.StartAsync();
        using var policy = new PolicyFolder(Broken);

        var run = await broker.SbctlAsync(null, "policy", "check", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [
                $"{policy.Path}:5:18: default_ttl 2h is longer than max_ttl 1h",
                $"{policy.Path}:11:13: unknown role 'deploy-web': it is not defined under roles",
                $"{policy.Path}:12:12: steps must list at least one entry",
            ],
            run.StdoutLines());
        Assert.Equal($"error: policy_invalid: {policy.Path}: 3 errors", run.SingleStderrLine());
    }

    [Fact]
    public async Task Policy_check_with_json_prints_one_object_with_the_errors()
    {
        await using var broker = await TestBroker.StartAsync();
        using var policy = new PolicyFolder(Broken);

        var run = await broker.SbctlAsync(null, "policy", "check", policy.Path, "--json");

        Assert.Equal(1, run.ExitCode);
        using var answer = JsonDocument.Parse(run.Stdout);
        var root = answer.RootElement;
        Assert.False(root.GetProperty("valid").GetBoolean());
        Assert.Equal(PolicyFolder.HashOf(Broken), root.GetProperty("sha256").GetString());
        Assert.Equal(
            [(5, 18), (11, 13), (12, 12)],
            root.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetInt32())));
    }

    [Fact]
    public async Task Policy_check_needs_no_broker()
    {
        using var policy = new PolicyFolder(PolicyFolder.ValidPolicy);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // An address nothing listens on, and no token: the check never connects.
        var exit = await SecretsBroker.Cli.Sbctl.RunAsync(
            ["--address", "http://127.0.0.1:1", "policy", "check", policy.Path], stdout, stderr, TextReader.Null, _ => null);

        Assert.Equal(0, exit);
        Assert.StartsWith("policy OK: 1 roles, 1 rules, sha256 ", stdout.ToString(), StringComparison.Ordinal);
    }
}
