namespace SecretsBroker.Server.Workloads;

/// <summary>
/// <c>Workloads:Issuers:N:Webhook</c>: the secret the CI platform signs (GitHub) or sends (GitLab) its
/// run and job events with. It lives in a file of its own, read once at start and never logged, like
/// every other secret the broker is configured with.
/// </summary>
public sealed class WebhookOptions
{
    /// <summary>A file holding the webhook's secret (surrounding whitespace is ignored); at least 16 characters.</summary>
    public string? SecretFile { get; set; }
}
