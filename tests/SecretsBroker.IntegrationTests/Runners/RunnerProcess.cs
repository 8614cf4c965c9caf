using System.Diagnostics;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>What a process run by <see cref="RunnerProcess"/> printed and returned.</summary>
internal sealed record RunnerRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// A process as a CI runner without .NET starts it: only the environment variables the test gives (PATH
/// is /usr/bin:/bin), and, in a private mount namespace, an empty folder mounted over the .NET install
/// these tests run on, so neither PATH, DOTNET_ROOT nor the default location can lead to a runtime. A
/// framework-dependent sbctl fails to start in it (<see cref="PublishedSbctlTests"/> checks that too).
/// </summary>
internal static class RunnerProcess
{
    public const string RunnerPath = "/usr/bin:/bin";

    // Bounded: a hung script must fail the test, not the CI run.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The folder holding shared/Microsoft.NETCore.App/&lt;version&gt;/ of the runtime running the tests.</summary>
    public static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> in the sandbox, in <paramref name="workingDirectory"/>.</summary>
    public static async Task<RunnerRun> RunAsync(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        // mount, then exec: "$0" is the program, the rest its arguments, so nothing is parsed by a shell twice.
        foreach (var arg in new[] { "--mount", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs none \"$SB_HIDE\" && unset SB_HIDE && exec \"$@\"", "sh", program })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = RunnerPath;
        start.Environment["SB_HIDE"] = DotnetRoot;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} ran past {Limit.TotalSeconds:0}s");
        }

        return new RunnerRun(process.ExitCode, await stdout, await stderr);
    }
}
