namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// A GitLab CI job run as GitLab Runner's shell executor runs it with bash, in <see cref="RunnerProcess"/>'s
/// sandbox (no .NET; the published sbctl on PATH as <c>sbctl</c>): <c>before_script</c> and <c>script</c>
/// in one shell under <c>set -eo pipefail</c>, so a failing line ends both; then <c>after_script</c> in a new
/// shell, whatever happened, which sees the job's variables but nothing the first shell exported.
/// </summary>
internal sealed class GitLabJob : IDisposable
{
    private readonly RunnerFolder folder;
    private readonly Dictionary<string, string> variables;

    /// <summary>
    /// A job of pipeline <paramref name="pipelineId"/> with <paramref name="template"/>'s variables, and each of
    /// its id tokens minted by <paramref name="mintIdToken"/> for that token's audience.
    /// </summary>
    public GitLabJob(GitLabJobTemplate template, string pipelineId, string jobId, string projectPath, Func<string, string> mintIdToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(mintIdToken);
        // Looked up first: without the published file the test fails saying how to build it, and leaves no folder.
        var sbctl = RepositoryFiles.PublishedSbctl;
        folder = new RunnerFolder();
        Template = template;
        ProjectDir = folder.Sub("builds", create: true);
        TempDir = folder.Sub("tmp", create: true);
        variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CI"] = "true",
            ["GITLAB_CI"] = "true",
            ["CI_PIPELINE_ID"] = pipelineId,
            ["CI_JOB_ID"] = jobId,
            ["CI_PROJECT_PATH"] = projectPath,
            ["CI_PROJECT_DIR"] = ProjectDir,
            ["HOME"] = folder.Sub("home", create: true),
            ["TMPDIR"] = TempDir,
            ["PATH"] = $"{folder.SbctlBin(sbctl)}:{RunnerProcess.RunnerPath}",
        };
        foreach (var (name, value) in template.Variables)
        {
            variables[name] = value;
        }

        foreach (var (name, audience) in template.IdTokenAudiences)
        {
            variables[name] = mintIdToken(audience);
        }
    }

    public GitLabJobTemplate Template { get; }

    public string ProjectDir { get; }

    public string TempDir { get; }

    public IReadOnlyDictionary<string, string> Variables => variables;

    /// <summary>The job's first shell: <c>before_script</c>, then <paramref name="script"/> as its <c>script:</c> lines.</summary>
    public Task<RunnerRun> RunScriptAsync(params string[] script) => RunShellAsync("script.sh", [.. Template.BeforeScript, .. script]);

    /// <summary>The job's second shell, run by GitLab however the first ended.</summary>
    public Task<RunnerRun> RunAfterScriptAsync() => RunShellAsync("after_script.sh", Template.AfterScript);

    public void Dispose() => folder.Dispose();

    private async Task<RunnerRun> RunShellAsync(string name, IEnumerable<string> lines)
    {
        var file = folder.Sub(name);
        await File.WriteAllTextAsync(file, "set -eo pipefail\n" + string.Join("\n", lines) + "\n");
        return await RunnerProcess.RunAsync("bash", ["--noprofile", "--norc", file], variables, ProjectDir);
    }
}
