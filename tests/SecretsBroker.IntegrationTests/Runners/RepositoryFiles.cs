namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>Files of this repository the runner tests run: the published sbctl and the CI integrations.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>The self-contained sbctl that scripts/publish.sh builds (scripts/test.sh publishes it before the tests).</summary>
    public static string PublishedSbctl
    {
        get
        {
            var path = Path.Combine(Root, "artifacts", "sbctl", "sbctl-linux-x64");
            Assert.True(File.Exists(path), $"{path} is missing: run ./scripts/publish.sh linux-x64 first (scripts/test.sh does)");
            return path;
        }
    }

    /// <summary>sbctl as the tests' build made it: framework-dependent, it needs an installed .NET to start.</summary>
    public static string FrameworkDependentSbctl => Path.Combine(AppContext.BaseDirectory, "sbctl");

    public static string GitHubAction => Path.Combine(Root, "deploy", "ci", "github");

    public static string GitLabComponent => Path.Combine(Root, "deploy", "ci", "gitlab", "templates", "secretsbroker.yml");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "SecretsBroker.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no SecretsBroker.sln above {AppContext.BaseDirectory}");
    }
}
