using System.Security.Cryptography;
using System.Text.Json;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Hooks;

/// <summary>
/// GitHub's webhook: a delivery is signed with <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw
/// body under the hook's secret&gt;</c>, named by <c>X-GitHub-Event</c> and identified by
/// <c>X-GitHub-Delivery</c>. <c>workflow_run</c> (action <c>completed</c>) ends a run: <c>workflow_run.id</c>
/// is the token's <c>run_id</c>, every attempt of it. <c>workflow_job</c> (action <c>completed</c>) ends one
/// job: its check run, the token's <c>check_run_id</c>, is the last segment of <c>workflow_job.check_run_url</c>
/// (the same number as <c>workflow_job.id</c> on GitHub today, which is used when the URL is absent), in run
/// <c>workflow_job.run_id</c>. <c>repository.full_name</c> is the token's <c>repository</c>.
/// </summary>
internal static class GitHubHook
{
    public const string SignatureHeader = "X-Hub-Signature-256";
    public const string EventHeader = "X-GitHub-Event";
    public const string DeliveryHeader = "X-GitHub-Delivery";

    private const string SignaturePrefix = "sha256=";

    /// <summary>The issuer whose secret signed <paramref name="body"/>, or null; every candidate is compared in constant time.</summary>
    public static TrustedIssuer? SignerOf(IEnumerable<TrustedIssuer> candidates, string? signature, byte[] body)
    {
        if (signature is null || !signature.StartsWith(SignaturePrefix, StringComparison.Ordinal) || signature.Length != SignaturePrefix.Length + 64)
        {
            return null;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.AsSpan(SignaturePrefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }

        TrustedIssuer? signer = null;
        foreach (var issuer in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(issuer.WebhookSecret!, body), given))
            {
                signer ??= issuer;
            }
        }

        return signer;
    }

    public static Result<HookFinding> Read(string eventName, JsonElement root)
    {
        switch (eventName)
        {
            case "ping":
                return HookFinding.Ping;
            case "workflow_run" when HookJson.String(root, "action") == "completed":
                return Finding(eventName, root, HookJson.Id(root, "workflow_run", "id"), null, jobExpected: false);
            case "workflow_job" when HookJson.String(root, "action") == "completed":
                var job = CheckRunOf(HookJson.String(root, "workflow_job", "check_run_url")) ?? HookJson.Id(root, "workflow_job", "id");
                return Finding(eventName, root, HookJson.Id(root, "workflow_job", "run_id"), job, jobExpected: true);
            default:
                return HookFinding.Ignored(eventName);
        }
    }

    private static Result<HookFinding> Finding(string eventName, JsonElement root, string? run, string? job, bool jobExpected)
    {
        if (HookJson.Project(root, "repository", "full_name") is not { } repository)
        {
            return HookJson.Missing("repository.full_name");
        }

        if (run is null)
        {
            return HookJson.Missing(jobExpected ? "workflow_job.run_id" : "workflow_run.id");
        }

        if (jobExpected && job is null)
        {
            return HookJson.Missing("workflow_job.id");
        }

        return new HookFinding(eventName, repository, run, job);
    }

    /// <summary>The check run id at the end of <c>…/check-runs/{id}</c>, or null.</summary>
    private static string? CheckRunOf(string? url)
    {
        const string marker = "/check-runs/";
        var at = url?.LastIndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        var id = url![(at + marker.Length)..];
        return id.Length is > 0 and <= 19 && id.All(char.IsAsciiDigit) && id[0] != '0' ? id : null;
    }
}
