using System.Globalization;

namespace SecretsBroker.Bench;

/// <summary><c>--name value</c> pairs; a mode asks for what it needs and fails naming the missing one.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> values;

    private BenchArgs(Dictionary<string, string> values) => this.values = values;

    public static BenchArgs Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new MissingArgumentException($"expected --name value, got '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        if (args.Length % 2 != 0)
        {
            throw new MissingArgumentException($"'{args[^1]}' has no value");
        }

        return new BenchArgs(values);
    }

    public string Text(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new MissingArgumentException($"--{name} is required");

    public string? OptionalText(string name) => values.GetValueOrDefault(name);

    public int WholeNumber(string name, int fallback) =>
        values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Number(string name, double fallback) =>
        values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A required argument is missing or the command line is not pairs.</summary>
    public sealed class MissingArgumentException(string message) : Exception(message);
}
