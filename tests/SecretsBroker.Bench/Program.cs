namespace SecretsBroker.Bench;

/// <summary>
/// The benchmark's console, one mode per step of <c>scripts/bench.sh</c>: <c>setup</c> (CI issuer,
/// tokens, policy), <c>provision</c> (the broker's signing key), <c>baseline</c> (a bare Kestrel
/// endpoint), <c>load</c> (the HTTP client), <c>sweep</c> (100k expired leases), <c>revoke</c> (100k live
/// leases of one identity), <c>pg-cluster</c> (a throwaway PostgreSQL), <c>pg-revoke</c> (PostgreSQL leases
/// revoked), <c>pg-bare</c> (bare CREATE/DROP ROLE), <c>pgstore-revoke</c> (100k live leases of one
/// identity on the PostgreSQL store), <c>pgstore-audit</c> (the audit chain's cost there) and <c>report</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        try
        {
            var options = BenchArgs.Parse(args[1..]);
            return args[0] switch
            {
                "setup" => await BenchSetup.RunAsync(options),
                "provision" => await BrokerProvisioning.RunAsync(options),
                "baseline" => await BaselineServer.RunAsync(options),
                "load" => await LoadRun.RunAsync(options),
                "sweep" => await SweepRun.RunAsync(options),
                "revoke" => await RevokeIdentityRun.RunAsync(options),
                "pg-cluster" => await PostgresClusterRun.RunAsync(options),
                "pg-revoke" => await PostgresRevokeRun.RunAsync(options),
                "pg-bare" => await PostgresBareRun.RunAsync(options),
                "pgstore-revoke" => await PostgresStoreRevokeRun.RunAsync(options),
                "pgstore-audit" => await PostgresAuditCostRun.RunAsync(options),
                "report" => await BenchReport.RunAsync(options),
                _ => Usage(),
            };
        }
        catch (BenchArgs.MissingArgumentException e)
        {
            await Console.Error.WriteLineAsync($"bench: {e.Message}");
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: SecretsBroker.Bench setup|provision|baseline|load|sweep|revoke|pg-cluster|pg-revoke|pg-bare|pgstore-revoke|pgstore-audit|report [--name value ...] (see scripts/bench.sh)");
        return 2;
    }
}
