namespace SecretsBroker.Server.Workloads;

/// <summary>One trusted CI platform: <c>Workloads:Issuers:N</c>.</summary>
public sealed class TrustedIssuerOptions : SignedTokenIssuerOptions
{
    /// <summary><c>github</c> or <c>gitlab</c>: which claims name the run and the job.</summary>
    public string? Dialect { get; set; }

    /// <summary>Overrides the dialect's run claim (GitHub <c>run_id</c>, GitLab <c>pipeline_id</c>).</summary>
    public string? RunClaim { get; set; }

    /// <summary>Overrides the dialect's job claim (GitHub <c>check_run_id</c>, GitLab <c>job_id</c>).</summary>
    public string? JobClaim { get; set; }

    /// <summary>Overrides the dialect's project claim (GitHub <c>repository</c>, GitLab <c>project_path</c>).</summary>
    public string? ProjectClaim { get; set; }

    /// <summary>The platform's completion webhook for this issuer: <c>Workloads:Issuers:N:Webhook</c>; none when absent.</summary>
    public WebhookOptions? Webhook { get; set; }
}
