namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>What one step of a <see cref="GitHubActionJob"/> printed, returned and wrote to its runner files.</summary>
internal sealed record GitHubActionStep(RunnerRun Run, string GitHubEnv, string GitHubState, string GitHubOutput)
{
    public Dictionary<string, string> Env => GitHubEnvFile.Parse(GitHubEnv);

    public Dictionary<string, string> State => GitHubEnvFile.Parse(GitHubState);

    public Dictionary<string, string> Output => GitHubEnvFile.Parse(GitHubOutput);
}

/// <summary>
/// One GitHub Actions job using the action in deploy/ci/github, run as the runner runs it but on this
/// machine, each step in <see cref="RunnerProcess"/>'s sandbox (no .NET; the published sbctl on PATH as
/// <c>sbctl</c>): <c>node main.js</c> with the INPUT_* variables from action.yml and the workflow's
/// <c>with:</c>; then any <c>run:</c> steps in bash; then <c>node post.js</c> with the same inputs and the
/// state main saved as STATE_name. Each step gets new, empty GITHUB_ENV, GITHUB_STATE and GITHUB_OUTPUT files;
/// what a step appends to GITHUB_ENV is in the environment of every later step, post included. Every step's
/// output goes through <see cref="Log"/>, which masks as the runner does.
/// </summary>
internal sealed class GitHubActionJob : IDisposable
{
    private readonly RunnerFolder folder;
    private readonly GitHubActionMetadata action = GitHubActionMetadata.Load(RepositoryFiles.GitHubAction);
    private readonly Dictionary<string, string> baseEnvironment;
    private readonly Dictionary<string, string> inputs;
    private readonly Dictionary<string, string> exported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> state = new(StringComparer.Ordinal);
    private int steps;

    /// <summary>A job of run <paramref name="runId"/> whose runner offers <paramref name="tokenEndpoint"/>, using the action with <paramref name="with"/>.</summary>
    public GitHubActionJob(string runId, GitHubTokenEndpoint tokenEndpoint, IReadOnlyDictionary<string, string> with)
    {
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        // Looked up first: without the published file the test fails saying how to build it, and leaves no folder.
        var sbctl = RepositoryFiles.PublishedSbctl;
        folder = new RunnerFolder();
        Workspace = folder.Sub("work", create: true);
        RunnerTemp = folder.Sub("temp", create: true);
        folder.Sub("file_commands", create: true);
        baseEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CI"] = "true",
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_RUN_ID"] = runId,
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["RUNNER_OS"] = "Linux",
            ["RUNNER_TEMP"] = RunnerTemp,
            ["HOME"] = folder.Sub("home", create: true),
            ["PATH"] = $"{folder.SbctlBin(sbctl)}:{RunnerProcess.RunnerPath}",
            // The runner sets these for a job with 'permissions: id-token: write'.
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = tokenEndpoint.Url.ToString(),
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = tokenEndpoint.RequestToken,
        };
        inputs = action.InputVariables(with);
    }

    public string Workspace { get; }

    public string RunnerTemp { get; }

    /// <summary>The job's log so far, masked as the runner masks it.</summary>
    public GitHubRunnerLog Log { get; } = new();

    /// <summary>The variables earlier steps appended to GITHUB_ENV, as the next step gets them.</summary>
    public IReadOnlyDictionary<string, string> Exported => exported;

    /// <summary>Runs the action's main step; <paramref name="overrides"/> replace variables of its environment (e.g. a GITHUB_ENV that cannot be written).</summary>
    public Task<GitHubActionStep> RunMainAsync(IReadOnlyDictionary<string, string>? overrides = null) =>
        RunNodeAsync(action.Runs["main"], post: false, overrides);

    /// <summary>Runs the action's post step, as the runner does at the end of the job.</summary>
    public Task<GitHubActionStep> RunPostAsync() => RunNodeAsync(action.Runs["post"], post: true);

    /// <summary>A <c>run:</c> step: the script in a file, run as GitHub's default bash shell runs it.</summary>
    public async Task<GitHubActionStep> RunScriptAsync(string script)
    {
        var file = Path.Combine(RunnerTemp, $"step-{steps + 1}.sh");
        await File.WriteAllTextAsync(file, script);
        return await RunStepAsync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], new Dictionary<string, string>());
    }

    public void Dispose() => folder.Dispose();

    private Task<GitHubActionStep> RunNodeAsync(string script, bool post, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>(inputs, StringComparer.Ordinal);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        if (post)
        {
            foreach (var (name, value) in state)
            {
                environment["STATE_" + name] = value;
            }
        }

        return RunStepAsync("node", [Path.Combine(RepositoryFiles.GitHubAction, script)], environment, saveState: !post);
    }

    private async Task<GitHubActionStep> RunStepAsync(string program, string[] args, Dictionary<string, string> stepEnvironment, bool saveState = false)
    {
        var step = ++steps;
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_ENV"] = folder.Sub($"file_commands/set_env_{step}"),
            ["GITHUB_STATE"] = folder.Sub($"file_commands/save_state_{step}"),
            ["GITHUB_OUTPUT"] = folder.Sub($"file_commands/set_output_{step}"),
        };
        var environment = new Dictionary<string, string>(baseEnvironment, StringComparer.Ordinal);
        foreach (var (name, value) in exported)
        {
            environment[name] = value;
        }

        foreach (var (name, path) in files)
        {
            await File.WriteAllTextAsync(path, "");
            environment[name] = path;
        }

        foreach (var (name, value) in stepEnvironment)
        {
            environment[name] = value;
        }

        var run = await RunnerProcess.RunAsync(program, args, environment, Workspace);
        Log.Add(run);
        var result = new GitHubActionStep(
            run, await File.ReadAllTextAsync(files["GITHUB_ENV"]), await File.ReadAllTextAsync(files["GITHUB_STATE"]), await File.ReadAllTextAsync(files["GITHUB_OUTPUT"]));
        foreach (var (name, value) in result.Env)
        {
            exported[name] = value;
        }

        if (saveState)
        {
            foreach (var (name, value) in result.State)
            {
                state[name] = value;
            }
        }

        return result;
    }
}
