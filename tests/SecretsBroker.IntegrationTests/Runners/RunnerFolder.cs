namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>A new folder in the temp folder for one test's CI job, removed with everything in it on dispose.</summary>
internal sealed class RunnerFolder : IDisposable
{
    public RunnerFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sb-runner-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path inside the folder; <paramref name="create"/> makes it a folder.</summary>
    public string Sub(string name, bool create = false)
    {
        var path = System.IO.Path.Combine(Path, name);
        if (create)
        {
            Directory.CreateDirectory(path);
        }

        return path;
    }

    /// <summary>
    /// A folder holding <c>sbctl</c>, a link to <paramref name="sbctl"/> (the published single-file sbctl), for
    /// the front of a job's PATH: the way a runner image with sbctl installed offers it to the action's and
    /// component's default <c>sbctl</c>.
    /// </summary>
    public string SbctlBin(string sbctl)
    {
        var bin = Sub("bin", create: true);
        File.CreateSymbolicLink(System.IO.Path.Combine(bin, "sbctl"), sbctl);
        return bin;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
