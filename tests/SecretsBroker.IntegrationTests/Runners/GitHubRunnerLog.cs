using System.Text;

namespace SecretsBroker.IntegrationTests.Runners;

/// <summary>
/// A job's log as the GitHub Actions runner keeps it: each step's output, line by line, where a line
/// <c>::add-mask::DATA</c> is a command, not logged, that adds DATA (decoded as the runner decodes command
/// data: <c>%0D</c>, <c>%0A</c>, then <c>%25</c>) to the values replaced by <c>***</c> in every line logged
/// after it. What a test finds in <see cref="Text"/> is what a reader of the job's log would see.
/// </summary>
internal sealed class GitHubRunnerLog
{
    public const string AddMask = "::add-mask::";

    private readonly List<string> masks = [];
    private readonly StringBuilder text = new();

    /// <summary>The values registered so far, decoded, in order.</summary>
    public IReadOnlyList<string> Masks => masks;

    /// <summary>Every logged line so far, masked, each ending in LF.</summary>
    public string Text => text.ToString();

    /// <summary>Takes one step's output: stdout, then stderr (the runner handles both streams the same way).</summary>
    public void Add(RunnerRun step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Add(step.Stdout);
        Add(step.Stderr);
    }

    public void Add(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            // The runner takes a command after leading white space too.
            var command = line.TrimStart();
            if (command.StartsWith(AddMask, StringComparison.Ordinal))
            {
                var value = Decode(command[AddMask.Length..]);
                // The runner refuses to mask a blank value (it warns instead).
                if (!string.IsNullOrWhiteSpace(value))
                {
                    masks.Add(value);
                }

                continue;
            }

            if (line.Length > 0)
            {
                text.Append(Mask(line)).Append('\n');
            }
        }
    }

    /// <summary><paramref name="line"/> as the runner would log it now: every registered value, longest first, as <c>***</c>.</summary>
    public string Mask(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        foreach (var mask in masks.OrderByDescending(mask => mask.Length))
        {
            line = line.Replace(mask, "***", StringComparison.Ordinal);
        }

        return line;
    }

    private static string Decode(string data) =>
        data.Replace("%0D", "\r", StringComparison.Ordinal)
            .Replace("%0A", "\n", StringComparison.Ordinal)
            .Replace("%25", "%", StringComparison.Ordinal);
}
