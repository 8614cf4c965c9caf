using System.Security.Cryptography;
using System.Text;

namespace SecretsBroker.IntegrationTests.Policy;

/// <summary>A temp folder holding one policy file, replaced the way operators should: written beside it, then renamed over it.</summary>
internal sealed class PolicyFolder : IDisposable
{
    public const string ValidPolicy = """
        roles:
          deploy-api:
            provider: jwt
            secret: deploy-signing-key
            default_ttl: 10m
            max_ttl: 1h
        rules:
          - name: app-main-deploy
            issuer: github
            claims: { repository: acme/app, ref: refs/heads/main }
            roles: [deploy-api]
            steps: [deploy]
            purposes: ["*"]

        """;

    private readonly string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sb-policy-" + Guid.NewGuid().ToString("N"));

    public PolicyFolder(string contents)
    {
        Directory.CreateDirectory(folder);
        Replace(contents);
    }

    public string Path => System.IO.Path.Combine(folder, "policy.yaml");

    /// <summary>The lowercase hex SHA-256 of <paramref name="contents"/> as this folder writes it.</summary>
    public static string HashOf(string contents) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(contents))).ToLowerInvariant();

    public void Replace(string contents)
    {
        var next = System.IO.Path.Combine(folder, ".policy.yaml.next");
        File.WriteAllText(next, contents, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(next, Path, overwrite: true);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
