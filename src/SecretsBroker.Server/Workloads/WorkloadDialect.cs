namespace SecretsBroker.Server.Workloads;

/// <summary>How a CI platform names the run, the job and the repository or project in its id-tokens.</summary>
internal sealed record WorkloadDialect(string Name, string RunClaim, string JobClaim, string ProjectClaim)
{
    /// <summary>GitHub Actions: a workflow run, the check run of one job in it, and the repository (owner/name).</summary>
    public static readonly WorkloadDialect GitHub = new("github", "run_id", "check_run_id", "repository");

    /// <summary>GitLab CI: a pipeline, one job in it, and the project's full path (group/project).</summary>
    public static readonly WorkloadDialect GitLab = new("gitlab", "pipeline_id", "job_id", "project_path");

    public static IReadOnlyList<WorkloadDialect> All { get; } = [GitHub, GitLab];

    public static WorkloadDialect? Find(string? name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
