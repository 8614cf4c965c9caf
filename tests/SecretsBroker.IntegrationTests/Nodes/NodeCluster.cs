using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Dapper;
using NodaTime;
using Npgsql;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Contracts.Tokens;
using SecretsBroker.Core.Secrets;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Nodes;

/// <summary>
/// Several broker processes over one PostgreSQL store, as deploy/several-nodes.md sets them up: a
/// store with the broker's least-privileged login, one master key given to every node (its key file in
/// each node's own data folder), each node with its own data folder (its node id) and its own copy of
/// the policy file, on its own loopback port. The first node makes the store and prints the initial
/// admin token.
/// </summary>
internal sealed class NodeCluster : IAsyncDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "sb-nodes-" + Guid.NewGuid().ToString("N"));
    private readonly MasterKey masterKey = MasterKey.Generate();
    private readonly IReadOnlyDictionary<string, string?> extra;
    private readonly List<BrokerProcess?> nodes = [];

    private NodeCluster(PostgresStoreLogin store, CiTokenIssuer ci, IReadOnlyDictionary<string, string?> extra)
    {
        Store = store;
        Ci = ci;
        this.extra = extra;
    }

    public PostgresStoreLogin Store { get; }

    public CiTokenIssuer Ci { get; }

    public string AdminToken { get; private set; } = "";

    /// <summary>What every downstream name this installation mints starts with (the nodes share one master key, so one prefix).</summary>
    public string DownstreamPrefix => $"sb_{new BrokerInstance(() => masterKey).Id}_";

    public BrokerProcess this[int index] => nodes[index] ?? throw new InvalidOperationException($"node {index} is not running");

    /// <summary>
    /// Starts <paramref name="count"/> nodes (the first alone, the rest together) with
    /// <paramref name="policyFor"/>'s policy for the issuer's repository (default the leasing policy),
    /// and stores the signing key the leasing policy mints with. With <paramref name="webhook"/> the
    /// issuer has a completion webhook, its secret file shared by every node.
    /// </summary>
    public static async Task<NodeCluster> StartAsync(int count, Func<string, string>? policyFor = null, IReadOnlyDictionary<string, string?>? settings = null, bool webhook = false)
    {
        var store = await PostgresCluster.Shared.CreateBrokerStoreAsync();
        var ci = CiTokenIssuer.GitHub();
        if (webhook)
        {
            ci.WithWebhook();
        }

        var cluster = new NodeCluster(store, ci, settings ?? new Dictionary<string, string?>());
        try
        {
            var policy = (policyFor ?? LeasingBroker.PolicyFor)(ci.Repository);
            var first = await cluster.StartNodeAsync(0, policy);
            cluster.AdminToken = first.AdminToken ?? throw new InvalidOperationException($"the first node printed no admin token:\n{first.Output}");
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(i => cluster.StartNodeAsync(i, policy)));
            using var admin = cluster.Admin(0);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{LeasingBroker.SigningKey}", new PutSecretRequest("es256-signing-key", new Dictionary<string, string> { ["private_key"] = key.ExportPkcs8PrivateKeyPem() }));
            put.EnsureSuccessStatusCode();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts node <paramref name="index"/> (again, after a kill: same data folder, same node id).</summary>
    public async Task<BrokerProcess> StartNodeAsync(int index, string? policy = null)
    {
        var folder = NodeFolder(index);
        var data = Path.Combine(folder, "data");
        if (!Directory.Exists(data))
        {
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, "master.key"), masterKey.ToBase64() + "\n");
            File.WriteAllText(Path.Combine(folder, "store.conn"), Store.ConnectionString);
        }

        if (policy is not null)
        {
            File.WriteAllText(PolicyPath(index), policy);
        }

        var settings = new Dictionary<string, string?>(Ci.Settings)
        {
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionStringFile"] = Path.Combine(folder, "store.conn"),
            ["Storage:Schema"] = Store.Schema,
            ["Policy:File"] = PolicyPath(index),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var node = await BrokerProcess.StartAsync(data, settings);
        lock (nodes)
        {
            while (nodes.Count <= index)
            {
                nodes.Add(null);
            }

            nodes[index] = node;
        }

        return node;
    }

    /// <summary>Rewrites node <paramref name="index"/>'s own policy file (the node reloads it).</summary>
    public void WritePolicy(int index, string policy) => File.WriteAllText(PolicyPath(index), policy);

    public async Task KillAsync(int index)
    {
        await this[index].KillAsync();
        nodes[index] = null;
    }

    public HttpClient Admin(int index) => this[index].Client(AdminToken);

    /// <summary>A CI job's client on node <paramref name="index"/>, with a token for <paramref name="run"/> on the system clock (the nodes' clock).</summary>
    public HttpClient Runner(int index, string? run = null, string? job = null)
    {
        var client = this[index].Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Ci.Mint(SystemClock.Instance.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["run_id"] = run ?? Ci.RunId,
            ["check_run_id"] = job ?? Ci.JobId,
            ["repository"] = Ci.Repository,
        }));
        return client;
    }

    /// <summary>A new operator token with <paramref name="scopes"/>, made through node 0.</summary>
    public async Task<string> TokenAsync(params string[] scopes)
    {
        using var admin = Admin(0);
        using var created = await admin.PostAsJsonAsync(Routes.Tokens, new CreateTokenRequest("nodes-" + Guid.NewGuid().ToString("N")[..6], scopes, null));
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<CreatedToken>())!.Token;
    }

    /// <summary>Reads the store as the broker's login, as an operator with psql would.</summary>
    public async Task<T> QueryScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = new NpgsqlConnection(Store.UnpooledConnectionString);
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var c = new NpgsqlConnection(Store.UnpooledConnectionString);
        return (await c.QueryAsync<T>(sql, args)).ToList();
    }

    /// <summary>A session on the store of the test's own, for watching the tables closely (a new login per look would lag behind).</summary>
    public async Task<NpgsqlConnection> OpenStoreAsync()
    {
        var c = new NpgsqlConnection(Store.UnpooledConnectionString);
        await c.OpenAsync();
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes.Where(n => n is not null))
        {
            await node!.DisposeAsync();
        }

        Ci.Dispose();
        await PostgresCluster.Shared.DropBrokerStoreAsync(Store);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private string NodeFolder(int index) => Path.Combine(root, "node" + index);

    private string PolicyPath(int index) => Path.Combine(NodeFolder(index), "policy.yaml");
}
