using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Workloads;

namespace SecretsBroker.Server.Hooks;

/// <summary>
/// GitLab's webhook: a delivery carries the hook's secret token in <c>X-Gitlab-Token</c>, is named by
/// <c>X-Gitlab-Event</c>, and identified by <c>Idempotency-Key</c> (the same on GitLab's retries, GitLab
/// 17.4 and later) or else <c>X-Gitlab-Event-UUID</c>. A pipeline event (<c>object_kind</c> <c>pipeline</c>)
/// in a final status ends a pipeline, <c>object_attributes.id</c>, the token's <c>pipeline_id</c>; a job
/// event (<c>object_kind</c> <c>build</c>) in a final status ends job <c>build_id</c> (the token's
/// <c>job_id</c>) of pipeline <c>pipeline_id</c>. <c>project.path_with_namespace</c> is the token's <c>project_path</c>.
/// </summary>
internal static class GitLabHook
{
    public const string TokenHeader = "X-Gitlab-Token";
    public const string EventHeader = "X-Gitlab-Event";
    public const string RetryKeyHeader = "Idempotency-Key";
    public const string EventUuidHeader = "X-Gitlab-Event-UUID";

    /// <summary>The statuses after which a pipeline or job runs no more.</summary>
    private static readonly HashSet<string> Final = new(StringComparer.Ordinal) { "success", "failed", "canceled", "skipped" };

    /// <summary>
    /// The issuer whose secret is <paramref name="token"/>, or null. Both sides are hashed first, so the
    /// constant-time comparison does not even tell the secret's length.
    /// </summary>
    public static TrustedIssuer? OwnerOf(IEnumerable<TrustedIssuer> candidates, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        TrustedIssuer? owner = null;
        foreach (var issuer in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(issuer.WebhookSecret!), given))
            {
                owner ??= issuer;
            }
        }

        return owner;
    }

    public static Result<HookFinding> Read(JsonElement root)
    {
        switch (HookJson.String(root, "object_kind"))
        {
            case "pipeline" when HookJson.String(root, "object_attributes", "status") is { } status && Final.Contains(status):
                return Finding("pipeline", root, HookJson.Id(root, "object_attributes", "id"), null, "object_attributes.id");
            case "build" when HookJson.String(root, "build_status") is { } status && Final.Contains(status):
                var job = HookJson.Id(root, "build_id");
                return job is null ? HookJson.Missing("build_id") : Finding("job", root, HookJson.Id(root, "pipeline_id"), job, "pipeline_id");
            case { } kind:
                return HookFinding.Ignored(kind);
            default:
                return HookJson.Missing("object_kind");
        }
    }

    private static Result<HookFinding> Finding(string eventName, JsonElement root, string? run, string? job, string runField) =>
        HookJson.Project(root, "project", "path_with_namespace") is not { } project
            ? HookJson.Missing("project.path_with_namespace")
            : run is null
                ? HookJson.Missing(runField)
                : new HookFinding(eventName, project, run, job);
}
