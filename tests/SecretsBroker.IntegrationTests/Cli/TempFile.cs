namespace SecretsBroker.IntegrationTests.Cli;

/// <summary>A file in the temp folder holding <paramref name="contents"/>, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string contents)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sbctl-test-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(Path, contents);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
