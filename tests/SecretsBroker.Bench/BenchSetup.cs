using NodaTime;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>setup</c>: a stand-in GitHub OIDC issuer, one token per client (each its own run and job, so
/// 32 clients look like 32 CI jobs), the policy that lets them lease, and the broker's command-line
/// settings, all written into <c>--dir</c>. The policy has the JWT role of the lease load and a
/// PostgreSQL role minting from <see cref="PostgresTarget.AdminSecret"/>. The issuer's keys live only in this process; the tokens
/// outlast the run (<c>--token-minutes</c>).
/// </summary>
internal static class BenchSetup
{
    public const string TokensFile = "tokens.tsv";
    public const string BrokerArgsFile = "broker.args";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var dir = args.Text("dir");
        var clients = args.WholeNumber("clients", 32);
        var lifetime = Duration.FromMinutes(args.WholeNumber("token-minutes", 60));

        using var ci = CiTokenIssuer.GitHub();
        // The broker watches the folders of its policy and JWKS files: they get a folder of their own, so
        // the logs and results the benchmark writes beside them are not events the broker handles.
        var config = Directory.CreateDirectory(Path.Combine(dir, "config")).FullName;
        var jwks = Path.Combine(config, "jwks.json");
        var policy = Path.Combine(config, "policy.yaml");
        File.Copy(ci.JwksPath, jwks, overwrite: true);
        await File.WriteAllTextAsync(policy, PolicyFor(ci.Repository));

        var now = SystemClock.Instance.GetCurrentInstant();
        var lines = Enumerable.Range(0, clients).Select(i =>
        {
            var run = $"{ci.RunId}{i:D3}";
            var token = ci.Mint(now, new Dictionary<string, object?>
            {
                ["run_id"] = run,
                ["check_run_id"] = $"{ci.JobId}{i:D3}",
                ["repository"] = ci.Repository,
            }, lifetime: lifetime);
            return $"{run}\t{token}";
        });
        await File.WriteAllLinesAsync(Path.Combine(dir, TokensFile), lines);

        var settings = new Dictionary<string, string?>(ci.SettingsAt(0))
        {
            ["Workloads:Issuers:0:JwksFile"] = jwks,
            ["Policy:File"] = policy,
        };
        await File.WriteAllLinesAsync(Path.Combine(dir, BrokerArgsFile), settings.Select(kv => $"--{kv.Key}={kv.Value}"));
        Console.WriteLine($"setup: {clients} CI tokens for {ci.Repository}, valid {lifetime.TotalMinutes:0} min");
        return 0;
    }

    /// <summary>
    /// LeasingBroker's JWT role, and a PostgreSQL role as an operator would write it (membership in a
    /// group role, search_path set per database: PostgresBroker's template); steps <c>s*</c>.
    /// </summary>
    private static string PolicyFor(string repository) => $$$"""
        roles:
          {{{LeasingBroker.Role}}}:
            provider: jwt
            secret: {{{LeasingBroker.SigningKey}}}
            settings: { audience: {{{LeasingBroker.Audience}}} }
            default_ttl: 10m
            max_ttl: 1h
            renewable: true
          {{{PostgresTarget.Role}}}:
            provider: postgresql
            secret: {{{PostgresTarget.AdminSecret}}}
            settings:
              grants: "GRANT {{{PostgresTarget.Group}}} TO {{role}}; ALTER ROLE {{role}} IN DATABASE {{database}} SET search_path TO {{schema}}"
              schema: public
            default_ttl: 10m
            max_ttl: 1h
        rules:
          - name: app-pipelines
            issuer: github
            claims: { repository: "{{{repository}}}" }
            roles: [{{{LeasingBroker.Role}}}, {{{PostgresTarget.Role}}}]
            steps: ["s*"]
            purposes: ["*"]

        """;
}
