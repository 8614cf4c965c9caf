using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.Bench;

/// <summary>
/// <c>provision</c>: stores a fresh ES256 key as the JWT roles' signing key (with the initial admin
/// token, read from <c>BENCH_ADMIN_TOKEN</c> so it is not on a command line), then issues one lease
/// to prove the broker, the policy and the tokens fit together before any figure is taken. With
/// <c>--pg</c> (pg-cluster's pg.json) it also stores the cluster's broker admin login as the PostgreSQL role's
/// <c>postgresql-admin</c> root secret and issues one PostgreSQL lease the same way. With
/// <c>--also-probe</c> (another node over the same store) one more lease is issued there, proving that
/// node reads what the first one stored.
/// </summary>
internal static class BrokerProvisioning
{
    public const string AdminTokenVariable = "BENCH_ADMIN_TOKEN";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Text("url"));
        var admin = Environment.GetEnvironmentVariable(AdminTokenVariable)
            ?? throw new BenchArgs.MissingArgumentException($"{AdminTokenVariable} is not set");
        var tokens = await BenchToken.ReadAsync(args.Text("tokens"));

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"{Routes.Secrets}/{LeasingBroker.SigningKey}")
        {
            Content = JsonContent.Create(new PutSecretRequest("es256-signing-key", new Dictionary<string, string> { ["private_key"] = key.ExportPkcs8PrivateKeyPem() })),
        };
        put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using (var stored = await http.SendAsync(put))
        {
            if (!stored.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"provision: storing the signing key failed: {(int)stored.StatusCode} {await stored.Content.ReadAsStringAsync()}");
                return 1;
            }
        }

        using var probe = LeaseRequests.Build(url, tokens[0], "s-probe");
        using var issued = await http.SendAsync(probe);
        if (issued.StatusCode != HttpStatusCode.Created)
        {
            await Console.Error.WriteLineAsync($"provision: the probe lease was refused: {(int)issued.StatusCode} {await issued.Content.ReadAsStringAsync()}");
            return 1;
        }

        if (args.OptionalText("also-probe") is { } other)
        {
            using var otherProbe = LeaseRequests.Build(new Uri(other), tokens[^1], "s-probe-other");
            using var otherIssued = await http.SendAsync(otherProbe);
            if (otherIssued.StatusCode != HttpStatusCode.Created)
            {
                await Console.Error.WriteLineAsync($"provision: the probe lease on the other node was refused: {(int)otherIssued.StatusCode} {await otherIssued.Content.ReadAsStringAsync()}");
                return 1;
            }

            Console.WriteLine("provision: probe lease issued on the other node too");
        }

        if (args.OptionalText("pg") is { } pgFile)
        {
            var pg = await PostgresTarget.ReadAsync(pgFile);
            using var putAdmin = new HttpRequestMessage(HttpMethod.Put, $"{Routes.Secrets}/{PostgresTarget.AdminSecret}")
            {
                Content = JsonContent.Create(new PutSecretRequest("postgresql-admin", new Dictionary<string, string>
                {
                    ["host"] = pg.Host,
                    ["port"] = pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["database"] = pg.Database,
                    ["username"] = pg.Username,
                    ["password"] = pg.Password,
                    ["sslmode"] = "disable",
                })),
            };
            putAdmin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using (var stored = await http.SendAsync(putAdmin))
            {
                if (!stored.IsSuccessStatusCode)
                {
                    await Console.Error.WriteLineAsync($"provision: storing the PostgreSQL admin secret failed: {(int)stored.StatusCode} {await stored.Content.ReadAsStringAsync()}");
                    return 1;
                }
            }

            using var pgProbe = LeaseRequests.Build(url, tokens[0], "s-pg-probe", PostgresTarget.Role);
            using var pgIssued = await http.SendAsync(pgProbe);
            if (pgIssued.StatusCode != HttpStatusCode.Created)
            {
                await Console.Error.WriteLineAsync($"provision: the PostgreSQL probe lease was refused: {(int)pgIssued.StatusCode} {await pgIssued.Content.ReadAsStringAsync()}");
                return 1;
            }

            Console.WriteLine("provision: PostgreSQL admin secret stored, probe PostgreSQL lease issued");
        }

        Console.WriteLine("provision: signing key stored, probe lease issued");
        return 0;
    }
}
