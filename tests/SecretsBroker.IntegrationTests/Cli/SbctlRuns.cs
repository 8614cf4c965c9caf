using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary>Reading what sbctl printed.</summary>
internal static class SbctlRuns
{
    /// <summary>The lines sbctl printed to stdout, without the trailing empty one.</summary>
    public static string[] StdoutLines(this SbctlRun run) =>
        run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The one line sbctl printed to stderr; fails the test when it printed none or several.</summary>
    public static string SingleStderrLine(this SbctlRun run)
    {
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Assert.Single(lines);
    }

    /// <summary>The value of a <c>label  value</c> line, as <c>token create</c> and <c>secret show</c> print them.</summary>
    public static string Field(this SbctlRun run, string label)
    {
        var line = Assert.Single(run.StdoutLines(), l => l.StartsWith(label + " ", StringComparison.Ordinal));
        return line[label.Length..].Trim();
    }

    /// <summary>The cells of the table row whose first cell is <paramref name="key"/>.</summary>
    public static string[] Row(this SbctlRun run, string key)
    {
        var line = Assert.Single(run.StdoutLines(), l => l.StartsWith(key + " ", StringComparison.Ordinal));
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Everything sbctl printed, for checking that a value appears nowhere.</summary>
    public static string AllOutput(this IEnumerable<SbctlRun> runs) =>
        string.Join('\n', runs.Select(run => run.Stdout + "\n" + run.Stderr));
}
