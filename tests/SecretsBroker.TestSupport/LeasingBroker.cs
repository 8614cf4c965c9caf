using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using NodaTime;
using SecretsBroker.Contracts;
using SecretsBroker.Contracts.Leases;
using SecretsBroker.Contracts.Secrets;

namespace SecretsBroker.TestSupport;

/// <summary>
/// A test broker ready for CI leases: it trusts a GitHub-shaped token issuer (or a GitLab-shaped one)
/// with keys in a JWKS file and, when asked, its completion webhook's secret in a file; runs a policy
/// that lets the issuer's repository (project) lease the JWT roles below; and holds the ES256 signing
/// key those roles mint with.
/// </summary>
public sealed class LeasingBroker : IAsyncDisposable
{
    public const string Role = "deploy-api";
    public const string OneShotRole = "one-shot";
    public const string SigningKey = "deploy-signing-key";
    public const string Audience = "deploy-api";

    private readonly string policyFolder;
    private readonly Dictionary<string, string?> settings;
    private readonly List<TestBroker> stopped = [];

    private LeasingBroker(TestBroker broker, CiTokenIssuer ci, string policyFolder, Dictionary<string, string?> settings)
    {
        Broker = broker;
        Ci = ci;
        this.policyFolder = policyFolder;
        this.settings = settings;
    }

    public TestBroker Broker { get; private set; }

    public CiTokenIssuer Ci { get; }

    public string PolicyPath => Path.Combine(policyFolder, "policy.yaml");

    /// <summary>deploy-api: 10 min by default, 1 h at most, renewable. one-shot: 5 min, not renewable. Steps: deploy, migrate-*, s*.</summary>
    public static string PolicyFor(string repository) => PolicyFor(repository, "github", "repository");

    /// <summary>As <see cref="PolicyFor(string)"/>, for the tokens of <paramref name="issuer"/> whose <paramref name="claim"/> is <paramref name="repository"/>.</summary>
    public static string PolicyFor(string repository, string issuer, string claim) => $$"""
        roles:
          {{Role}}:
            provider: jwt
            secret: {{SigningKey}}
            settings: { audience: {{Audience}} }
            default_ttl: 10m
            max_ttl: 1h
            renewable: true
          {{OneShotRole}}:
            provider: jwt
            secret: {{SigningKey}}
            settings: { audience: {{Audience}} }
            default_ttl: 5m
            max_ttl: 5m
        rules:
          - name: app-pipelines
            issuer: {{issuer}}
            claims: { {{claim}}: "{{repository}}" }
            roles: [{{Role}}, {{OneShotRole}}]
            steps: ["deploy", "migrate-*", "s*"]
            purposes: ["*"]

        """;

    /// <summary>
    /// Starts the broker with <paramref name="policyFor"/>'s policy (default <see cref="PolicyFor(string, string, string)"/>
    /// for the issuer) for the issuer's repository, its clock at <paramref name="start"/>. The issuer is
    /// a <paramref name="platform"/> one; with <paramref name="webhook"/> it has a completion webhook
    /// (<see cref="CiTokenIssuer.WebhookSecret"/>).
    /// </summary>
    public static async Task<LeasingBroker> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        Func<string, string>? policyFor = null,
        Instant? start = null,
        CiPlatform platform = CiPlatform.GitHubActions,
        bool webhook = false)
    {
        var ci = platform == CiPlatform.GitHubActions ? CiTokenIssuer.GitHub() : CiTokenIssuer.GitLab();
        if (webhook)
        {
            ci.WithWebhook();
        }

        var folder = Path.Combine(Path.GetTempPath(), "sb-lease-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var policy = policyFor ?? (repository => PolicyFor(repository, ci.Name, ci.ProjectClaim));
        await File.WriteAllTextAsync(Path.Combine(folder, "policy.yaml"), policy(ci.Repository));
        var all = new Dictionary<string, string?>(ci.Settings) { ["Policy:File"] = Path.Combine(folder, "policy.yaml") };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var options = new TestBrokerOptions { Settings = all };
        var broker = await TestBroker.StartAsync(start is { } at ? options with { Start = at } : options);
        var world = new LeasingBroker(broker, ci, folder, all);
        await world.PutSigningKeyAsync();
        return world;
    }

    /// <summary>Stores a new ES256 key as the signing key's next version; returns its PEM.</summary>
    public async Task<string> PutSigningKeyAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        using var admin = Broker.Admin();
        using var put = await admin.PutAsJsonAsync($"{Routes.Secrets}/{SigningKey}", new PutSecretRequest("es256-signing-key", new Dictionary<string, string> { ["private_key"] = pem }));
        put.EnsureSuccessStatusCode();
        return pem;
    }

    /// <summary>
    /// A CI job's OIDC token for <paramref name="run"/> (default: the issuer's run), minted now on the
    /// broker's clock; its subject is the one the platform gives a job of <paramref name="repository"/>.
    /// </summary>
    public string TokenFor(string? run = null, string? job = null, string? repository = null, Duration? lifetime = null) =>
        Ci.Mint(Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["sub"] = Ci.SubjectFor(repository ?? Ci.Repository),
            [Ci.RunClaim] = run ?? Ci.RunId,
            [Ci.JobClaim] = job ?? Ci.JobId,
            [Ci.ProjectClaim] = repository ?? Ci.Repository,
        }, lifetime: lifetime);

    public HttpClient Runner(string? run = null, string? job = null, string? repository = null)
    {
        var client = Broker.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(run, job, repository));
        return client;
    }

    /// <summary>A runner whose token has its own subject but the issuer's repository claim (so the policy lets it lease).</summary>
    public HttpClient RunnerWithSubject(string subject)
    {
        var client = Broker.Client();
        var token = Ci.Mint(Broker.Clock.GetCurrentInstant(), new Dictionary<string, object?>
        {
            ["sub"] = subject,
            [Ci.RunClaim] = Ci.RunId,
            [Ci.JobClaim] = Ci.JobId,
            [Ci.ProjectClaim] = Ci.Repository,
        });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static Task<HttpResponseMessage> LeaseAsync(HttpClient runner, string run, string step, string purpose = "smoke", string role = Role, long? ttlSeconds = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Routes.Leases) { Content = JsonContent.Create(new IssueLeaseRequest(role, run, step, purpose, ttlSeconds)) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(Routes.IdempotencyKeyHeader, idempotencyKey);
        }

        return runner.SendAsync(request);
    }

    /// <summary>Issues a lease and returns it; fails the caller when the broker refuses.</summary>
    public async Task<IssuedLeaseResponse> IssueAsync(HttpClient runner, string step, string purpose = "smoke", string role = Role, string? run = null)
    {
        using var response = await LeaseAsync(runner, run ?? Ci.RunId, step, purpose, role);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"lease refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<IssuedLeaseResponse>())!;
    }

    /// <summary>What a downstream service would learn from introspecting <paramref name="token"/>.</summary>
    public async Task<IntrospectionResponse> IntrospectAsync(string token)
    {
        using var client = Broker.Client();
        using var response = await client.PostAsync(Routes.Introspect, new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IntrospectionResponse>())!;
    }

    /// <summary>
    /// Stops the broker and starts another on the same folder and policy, its clock where the old one
    /// stopped, with <paramref name="changes"/> over the settings: what survives is only what was committed.
    /// </summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string?>? changes = null)
    {
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var old = Broker;
        stopped.Add(old);
        Broker = await old.RestartAsync(new TestBrokerOptions { Settings = settings, Start = old.Clock.GetCurrentInstant() });
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();

        // The first broker owns the data folder: disposed last, it removes it.
        foreach (var broker in stopped)
        {
            await broker.DisposeAsync();
        }

        Ci.Dispose();
        Directory.Delete(policyFolder, recursive: true);
    }
}
