namespace SecretsBroker.Server.Workloads;

/// <summary>How a CI platform names the run and the job in its id-tokens.</summary>
internal sealed record WorkloadDialect(string Name, string RunClaim, string JobClaim)
{
    /// <summary>GitHub Actions: a workflow run, and the check run of one job in it.</summary>
    public static readonly WorkloadDialect GitHub = new("github", "run_id", "check_run_id");

    /// <summary>GitLab CI: a pipeline, and one job in it.</summary>
    public static readonly WorkloadDialect GitLab = new("gitlab", "pipeline_id", "job_id");

    public static IReadOnlyList<WorkloadDialect> All { get; } = [GitHub, GitLab];

    public static WorkloadDialect? Find(string? name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
