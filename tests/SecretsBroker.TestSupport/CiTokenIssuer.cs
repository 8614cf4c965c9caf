using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bogus;
using NodaTime;

namespace SecretsBroker.TestSupport;

/// <summary>The CI platform a <see cref="CiTokenIssuer"/> stands in for: it decides the claims its tokens carry.</summary>
public enum CiPlatform
{
    GitHubActions,
    GitLabCi,
}

/// <summary>
/// A stand-in CI platform's OIDC issuer, entirely on this machine: its own RSA (RS256) and P-256
/// (ES256) keys, a JWKS file in a temp folder, and id-tokens shaped like GitHub Actions' or GitLab CI's
/// with any claim, header, algorithm, key id or lifetime overridden. Tokens are built by hand (not
/// with the library the broker validates with), so the tests do not check the library against itself.
/// </summary>
public sealed class CiTokenIssuer : IDisposable
{
    public const string GitHubIssuer = "https://token.actions.githubusercontent.com";
    public const string GitLabIssuer = "https://gitlab.example.test";
    public const string DefaultAudience = "https://secretsbroker.example.test";

    /// <summary>Pass as <c>kid</c> to leave the key id out of the header.</summary>
    public const string NoKeyId = "";

    private static readonly Faker Faker = new() { Random = new Randomizer(20261124) };
    private static readonly object FakerGate = new();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly Dictionary<string, RSA> rsaKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ECDsa> ecKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> published = new(StringComparer.Ordinal);
    private readonly string folder;
    private bool publishSymmetricKey;

    public CiTokenIssuer(CiPlatform platform, string name, string issuer, string audience = DefaultAudience)
    {
        Platform = platform;
        Name = name;
        Issuer = issuer;
        Audience = audience;
        folder = Path.Combine(Path.GetTempPath(), "sb-jwks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        JwksPath = Path.Combine(folder, "jwks.json");
        HmacSecret = RandomNumberGenerator.GetBytes(32);
        lock (FakerGate)
        {
            Repository = $"{Faker.Internet.DomainWord()}/{Faker.Hacker.Noun().Replace(' ', '-')}".ToLowerInvariant();
            RunId = Faker.Random.Long(1_000_000_000, 9_999_999_999).ToString();
            JobId = Faker.Random.Long(10_000_000_000, 99_999_999_999).ToString();
        }

        RsaKeyId = AddRsaKey();
        EcKeyId = AddEcKey();
        WriteJwks();
    }

    public CiPlatform Platform { get; }

    /// <summary>The broker's name for this issuer (Workloads:Issuers:N:Name).</summary>
    public string Name { get; }

    /// <summary>The <c>iss</c> of its tokens.</summary>
    public string Issuer { get; }

    public string Audience { get; }

    /// <summary>Where the JWKS is written; rewritten (atomically) on every key change.</summary>
    public string JwksPath { get; }

    /// <summary>The current RSA key's id; RS256 tokens are signed with it unless told otherwise.</summary>
    public string RsaKeyId { get; private set; }

    /// <summary>The current EC P-256 key's id; ES256 tokens are signed with it unless told otherwise.</summary>
    public string EcKeyId { get; private set; }

    /// <summary>The key id of the HMAC secret, published in the JWKS only when <see cref="PublishSymmetricKey"/> is set.</summary>
    public string HmacKeyId { get; } = "hmac-" + Guid.NewGuid().ToString("N")[..8];

    public byte[] HmacSecret { get; }

    /// <summary>The repository (GitHub) or project path (GitLab) the tokens speak for, unless overridden.</summary>
    public string Repository { get; }

    /// <summary>The default run claim value: GitHub <c>run_id</c>, GitLab <c>pipeline_id</c>.</summary>
    public string RunId { get; }

    /// <summary>The default job claim value: GitHub <c>check_run_id</c>, GitLab <c>job_id</c>.</summary>
    public string JobId { get; }

    /// <summary>The dialect name the broker's configuration uses for this platform.</summary>
    public string Dialect => Platform == CiPlatform.GitHubActions ? "github" : "gitlab";

    /// <summary>The claim naming the run: GitHub <c>run_id</c>, GitLab <c>pipeline_id</c>.</summary>
    public string RunClaim => Platform == CiPlatform.GitHubActions ? "run_id" : "pipeline_id";

    /// <summary>The claim naming the job: GitHub <c>check_run_id</c>, GitLab <c>job_id</c>.</summary>
    public string JobClaim => Platform == CiPlatform.GitHubActions ? "check_run_id" : "job_id";

    /// <summary>The claim naming the repository or project: GitHub <c>repository</c>, GitLab <c>project_path</c>.</summary>
    public string ProjectClaim => Platform == CiPlatform.GitHubActions ? "repository" : "project_path";

    /// <summary>The <c>sub</c> of this platform's tokens for a job of <paramref name="repository"/> (GitHub: in the production environment; GitLab: on main).</summary>
    public string SubjectFor(string repository) =>
        Platform == CiPlatform.GitHubActions ? $"repo:{repository}:environment:production" : $"project_path:{repository}:ref_type:branch:ref:main";

    /// <summary>The secret of this platform's completion webhook once <see cref="WithWebhook"/> made one; null before.</summary>
    public string? WebhookSecret { get; private set; }

    /// <summary>The file holding <see cref="WebhookSecret"/>, beside the JWKS.</summary>
    public string WebhookSecretPath => Path.Combine(folder, "webhook.secret");

    /// <summary>Whether the JWKS also holds the HMAC secret as an <c>oct</c> key (which the broker must never use).</summary>
    public bool PublishSymmetricKey
    {
        get => publishSymmetricKey;
        set
        {
            publishSymmetricKey = value;
            WriteJwks();
        }
    }

    /// <summary>The JWKS as published now: the document the file holds and a test JWKS server serves.</summary>
    public string JwksJson { get; private set; } = "";

    /// <summary>Settings for a TestBroker trusting this issuer as Workloads:Issuers:0, with its JWKS file.</summary>
    public IReadOnlyDictionary<string, string?> Settings => SettingsAt(0);

    public static CiTokenIssuer GitHub(string name = "github", string issuer = GitHubIssuer, string audience = DefaultAudience) =>
        new(CiPlatform.GitHubActions, name, issuer, audience);

    public static CiTokenIssuer GitLab(string name = "gitlab", string issuer = GitLabIssuer, string audience = DefaultAudience) =>
        new(CiPlatform.GitLabCi, name, issuer, audience);

    /// <summary>Settings trusting every one of <paramref name="issuers"/>, in order, each with its JWKS file.</summary>
    public static Dictionary<string, string?> SettingsFor(params CiTokenIssuer[] issuers)
    {
        ArgumentNullException.ThrowIfNull(issuers);
        return issuers.SelectMany((issuer, i) => issuer.SettingsAt(i)).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>
    /// Gives this platform a completion webhook: <paramref name="secret"/> (default 48 random hex
    /// characters) is written to <see cref="WebhookSecretPath"/>, which the settings then name as
    /// <c>Workloads:Issuers:N:Webhook:SecretFile</c>.
    /// </summary>
    public CiTokenIssuer WithWebhook(string? secret = null)
    {
        WebhookSecret = secret ?? RandomNumberGenerator.GetHexString(48, lowercase: true);
        File.WriteAllText(WebhookSecretPath, WebhookSecret + "\n");
        return this;
    }

    /// <summary>Settings trusting this issuer as Workloads:Issuers:<paramref name="index"/> (with its webhook, when it has one); with
    /// <paramref name="jwksUrl"/> the keys come from that URL instead of the file.</summary>
    public Dictionary<string, string?> SettingsAt(int index, Uri? jwksUrl = null)
    {
        var key = $"Workloads:Issuers:{index}:";
        var settings = new Dictionary<string, string?>
        {
            [key + "Name"] = Name,
            [key + "Issuer"] = Issuer,
            [key + "Audience"] = Audience,
            [key + "Dialect"] = Dialect,
        };
        if (jwksUrl is null)
        {
            settings[key + "JwksFile"] = JwksPath;
        }
        else
        {
            settings[key + "JwksUrl"] = jwksUrl.ToString();
        }

        if (WebhookSecret is not null)
        {
            settings[key + "Webhook:SecretFile"] = WebhookSecretPath;
        }

        return settings;
    }

    /// <summary>
    /// A signed id-token issued at <paramref name="now"/>. <paramref name="claims"/> override or add
    /// claims (a null value removes one, e.g. <c>["exp"] = null</c>); <paramref name="kid"/> overrides
    /// the header's key id (a key id this issuer made also picks that key to sign with);
    /// <paramref name="lifetime"/> sets <c>exp</c> (default five minutes).
    /// </summary>
    public string Mint(
        Instant now,
        IReadOnlyDictionary<string, object?>? claims = null,
        string algorithm = "RS256",
        string? kid = null,
        Duration? lifetime = null)
    {
        var payload = Claims(now, lifetime ?? Duration.FromMinutes(5), claims);
        return algorithm switch
        {
            "RS256" => Sign(algorithm, kid ?? RsaKeyId, payload, data =>
                (rsaKeys.GetValueOrDefault(kid ?? RsaKeyId) ?? rsaKeys[RsaKeyId]).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
            "ES256" => Sign(algorithm, kid ?? EcKeyId, payload, data =>
                (ecKeys.GetValueOrDefault(kid ?? EcKeyId) ?? ecKeys[EcKeyId]).SignData(data, HashAlgorithmName.SHA256)),
            "HS256" => Sign(algorithm, kid ?? HmacKeyId, payload, data => HMACSHA256.HashData(HmacSecret, data)),
            "none" => Sign(algorithm, kid ?? NoKeyId, payload, _ => []),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "RS256, ES256, HS256 or none."),
        };
    }

    /// <summary>An unsigned token (<c>alg: none</c>, empty signature) with otherwise valid claims.</summary>
    public string MintUnsigned(Instant now, IReadOnlyDictionary<string, object?>? claims = null) =>
        Mint(now, claims, algorithm: "none");

    /// <summary>A token MACed with <see cref="HmacSecret"/> under <see cref="HmacKeyId"/>, as an attacker
    /// who read a JWKS holding that secret could make.</summary>
    public string MintHs256(Instant now, IReadOnlyDictionary<string, object?>? claims = null) =>
        Mint(now, claims, algorithm: "HS256");

    /// <summary>A new RSA key becomes the one RS256 tokens are signed with; the JWKS is rewritten with it,
    /// and with the old key too only when <paramref name="keepOld"/>. Returns the new key id.</summary>
    public string RotateRsaKey(bool keepOld = false)
    {
        var old = RsaKeyId;
        RsaKeyId = AddRsaKey();
        if (!keepOld)
        {
            published.Remove(old);
        }

        WriteJwks();
        return RsaKeyId;
    }

    /// <summary>As <see cref="RotateRsaKey"/>, for the EC key.</summary>
    public string RotateEcKey(bool keepOld = false)
    {
        var old = EcKeyId;
        EcKeyId = AddEcKey();
        if (!keepOld)
        {
            published.Remove(old);
        }

        WriteJwks();
        return EcKeyId;
    }

    public void Dispose()
    {
        foreach (var key in rsaKeys.Values)
        {
            key.Dispose();
        }

        foreach (var key in ecKeys.Values)
        {
            key.Dispose();
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Base64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string Sign(string algorithm, string kid, JsonObject payload, Func<byte[], byte[]> signature)
    {
        var header = new JsonObject { ["alg"] = algorithm, ["typ"] = "JWT" };
        if (kid.Length > 0)
        {
            header["kid"] = kid;
        }

        var signed = $"{Base64(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64(Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        return $"{signed}.{Base64(signature(Encoding.ASCII.GetBytes(signed)))}";
    }

    private JsonObject Claims(Instant now, Duration lifetime, IReadOnlyDictionary<string, object?>? overrides)
    {
        var iat = now.ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString(),
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["iat"] = iat,
            ["nbf"] = iat,
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        var platform = Platform == CiPlatform.GitHubActions ? GitHubClaims() : GitLabClaims();
        foreach (var (name, value) in platform)
        {
            payload[name] = JsonValue.Create(value);
        }

        foreach (var (name, value) in overrides ?? new Dictionary<string, object?>())
        {
            if (value is null)
            {
                payload.Remove(name);
            }
            else
            {
                payload[name] = JsonSerializer.SerializeToNode(value);
            }
        }

        return payload;
    }

    /// <summary>The claims of a GitHub Actions id-token for a push to main, as GitHub documents them.</summary>
    private Dictionary<string, string> GitHubClaims() => new()
    {
        ["sub"] = SubjectFor(Repository),
        ["ref"] = "refs/heads/main",
        ["ref_type"] = "branch",
        ["sha"] = "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
        ["repository"] = Repository,
        ["repository_owner"] = Repository.Split('/')[0],
        ["repository_visibility"] = "private",
        ["environment"] = "production",
        ["workflow"] = "deploy",
        ["workflow_ref"] = $"{Repository}/.github/workflows/deploy.yml@refs/heads/main",
        ["job_workflow_ref"] = $"{Repository}/.github/workflows/deploy.yml@refs/heads/main",
        ["event_name"] = "push",
        ["actor"] = "octocat",
        ["run_id"] = RunId,
        ["run_number"] = "17",
        ["run_attempt"] = "1",
        ["check_run_id"] = JobId,
        ["runner_environment"] = "self-hosted",
    };

    /// <summary>The claims of a GitLab CI id-token for a job on the default branch, as GitLab documents them.</summary>
    private Dictionary<string, string> GitLabClaims() => new()
    {
        ["sub"] = SubjectFor(Repository),
        ["namespace_path"] = Repository.Split('/')[0],
        ["project_path"] = Repository,
        ["user_login"] = "ci-bot",
        ["pipeline_id"] = RunId,
        ["pipeline_source"] = "push",
        ["job_id"] = JobId,
        ["ref"] = "main",
        ["ref_type"] = "branch",
        ["ref_protected"] = "true",
        ["environment"] = "production",
        ["environment_protected"] = "true",
        ["runner_environment"] = "self-hosted",
        ["sha"] = "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
    };

    private string AddRsaKey()
    {
        var kid = "rsa-" + Guid.NewGuid().ToString("N")[..12];
        rsaKeys[kid] = RSA.Create(2048);
        published.Add(kid);
        return kid;
    }

    private string AddEcKey()
    {
        var kid = "ec-" + Guid.NewGuid().ToString("N")[..12];
        ecKeys[kid] = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        published.Add(kid);
        return kid;
    }

    /// <summary>Writes the published keys beside the file and renames it into place, so a reader never sees half a file.</summary>
    private void WriteJwks()
    {
        var keys = new List<Dictionary<string, string>>();
        foreach (var (kid, rsa) in rsaKeys.Where(k => published.Contains(k.Key)))
        {
            var p = rsa.ExportParameters(includePrivateParameters: false);
            keys.Add(new() { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid, ["n"] = Base64(p.Modulus!), ["e"] = Base64(p.Exponent!) });
        }

        foreach (var (kid, ec) in ecKeys.Where(k => published.Contains(k.Key)))
        {
            var p = ec.ExportParameters(includePrivateParameters: false);
            keys.Add(new() { ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["kid"] = kid, ["x"] = Base64(p.Q.X!), ["y"] = Base64(p.Q.Y!) });
        }

        if (publishSymmetricKey)
        {
            keys.Add(new() { ["kty"] = "oct", ["use"] = "sig", ["alg"] = "HS256", ["kid"] = HmacKeyId, ["k"] = Base64(HmacSecret) });
        }

        JwksJson = JsonSerializer.Serialize(new { keys }, Json);
        var staging = JwksPath + ".new";
        File.WriteAllText(staging, JwksJson);
        File.Move(staging, JwksPath, overwrite: true);
    }
}
